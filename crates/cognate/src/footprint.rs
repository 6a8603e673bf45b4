//! What an idle node keeps resident: after start, the memory and the code pages that only
//! start-up used are handed back to the system (bench/ measures idle memory 2 s after the
//! first answer; docs/benchmarks.md).

/// Start-up parses the API model (a JSON tree several times the model's size) and runs the
/// migrations; the allocators keep the heap pages they freed. Hand those back to the system,
/// so an idle node holds only what it uses.
pub(crate) fn release_startup_memory() {
    // SAFETY: mi_collect only returns memory mimalloc holds free (the global allocator, see
    // main.rs); it touches no memory in use. malloc_trim does the same for anything C code
    // allocated with glibc's malloc before or beside it.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: as above, for glibc's heap.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Unmaps the executable's read-only pages (its code and constant data) from this process,
/// to be paged in again from the file on their next use. Start-up runs code that serving
/// never runs again (argument parsing, migrations, the model's parser, key generation), and
/// the kernel maps file pages in blocks of 64 KB around each one touched: about 8 MB of a
/// 20 MB idle footprint. What serving uses comes back at its first use, a minor fault per
/// page (tens of microseconds in all).
///
/// Only segments that are never written are released: not the writable ones, and not the
/// part made read-only after relocation (`PT_GNU_RELRO`), whose pages hold relocated values
/// that the file does not. Returns the bytes released (0 where this is not supported).
/// For the binary only (`main.rs`): tests run many servers in one process.
pub fn release_startup_code() -> usize {
    #[cfg(target_os = "linux")]
    {
        let mut released = 0;
        for (start, len) in read_only_segments() {
            // SAFETY: the range is whole pages of a private, never-written file mapping of
            // our own executable: dropping them changes no byte the program can read (the
            // kernel reads them back from the file on the next access).
            if unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_DONTNEED) } == 0 {
                released += len;
            }
        }
        released
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// The executable's loaded segments that are neither writable nor relocated, as whole pages:
/// `(start address, length)`.
#[cfg(target_os = "linux")]
fn read_only_segments() -> Vec<(usize, usize)> {
    use libc::{PF_W, PT_GNU_RELRO, PT_LOAD, c_int, c_void, dl_phdr_info, size_t};

    unsafe extern "C" fn first_object(
        info: *mut dl_phdr_info,
        _size: size_t,
        out: *mut c_void,
    ) -> c_int {
        // SAFETY: the loader passes a valid `dl_phdr_info` whose `dlpi_phdr` points at
        // `dlpi_phnum` program headers; `out` is the Vec passed to dl_iterate_phdr below.
        let (info, out) = unsafe { (&*info, &mut *out.cast::<Vec<(usize, usize)>>()) };
        let headers =
            unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) };
        let base = info.dlpi_addr as usize;
        let page = page_size();
        let relro: Vec<(usize, usize)> = headers
            .iter()
            .filter(|h| h.p_type == PT_GNU_RELRO)
            .map(|h| {
                (
                    base + h.p_vaddr as usize,
                    base + (h.p_vaddr + h.p_memsz) as usize,
                )
            })
            .collect();
        for h in headers {
            if h.p_type != PT_LOAD || h.p_flags & PF_W != 0 {
                continue;
            }
            let from = base + h.p_vaddr as usize;
            let to = from + h.p_filesz as usize;
            if relro.iter().any(|&(a, b)| from < b && a < to) {
                continue;
            }
            // Whole pages inside the segment only, so no neighbour's page is touched.
            let (start, end) = (from.next_multiple_of(page), to / page * page);
            if end > start {
                out.push((start, end - start));
            }
        }
        1 // the first object is the executable itself; stop there
    }

    let mut out: Vec<(usize, usize)> = Vec::new();
    // SAFETY: the callback only reads what the loader hands it and writes to `out`.
    unsafe {
        libc::dl_iterate_phdr(Some(first_object), (&raw mut out).cast());
    }
    out
}

#[cfg(target_os = "linux")]
fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096).max(4096)
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn the_code_is_released_and_still_runs() {
        let segments = super::read_only_segments();
        assert!(
            !segments.is_empty(),
            "the executable has read-only segments"
        );
        let code = the_code_is_released_and_still_runs as fn() as usize;
        assert!(
            segments.iter().any(|&(s, l)| (s..s + l).contains(&code)),
            "this function's code lies in a released segment"
        );
        assert!(super::release_startup_code() > 0);
        // Code and constants come back from the file as they are used.
        let text = format!("{}", 6 * 7);
        assert_eq!(text, "42");
    }
}
