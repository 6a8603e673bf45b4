//! The model's string patterns: Java regular expressions checked with the `regex` crate, and
//! a table for the patterns that are one character class repeated.

use regex::Regex;

/// A model pattern, compiled on first use: most of the model's ~40 patterns are never needed
/// by a given deployment, and compiling the Unicode classes up front costs memory and start time.
#[derive(Debug)]
pub(super) struct Pattern {
    pub(super) source: String,
    compiled: std::sync::OnceLock<Compiled>,
}

#[derive(Debug)]
struct Compiled {
    regex: Option<Regex>,
    /// For a pattern that is one character class repeated (`[A-Za-z0-9-_=.]+`, most of the
    /// model's), which ASCII characters the class holds, read off the regex itself: an ASCII
    /// value is then checked by table, a byte at a time (an access token is about 1 KB, and
    /// the regex's scan of it was ~5% of a GetUser). Other values go to the regex.
    ascii: Option<AsciiClass>,
}

#[derive(Debug)]
struct AsciiClass {
    allowed: [bool; 128],
    empty_matches: bool,
}

impl Pattern {
    pub(super) fn new(source: &str) -> Self {
        Self {
            source: source.to_owned(),
            compiled: std::sync::OnceLock::new(),
        }
    }

    /// Whether the whole value matches; patterns the `regex` crate cannot express are not checked.
    pub(super) fn matches(&self, value: &str) -> bool {
        let compiled = self.compiled.get_or_init(|| {
            let regex = compile_pattern(&self.source);
            let ascii = regex.as_ref().and_then(|re| ascii_class(&self.source, re));
            Compiled { regex, ascii }
        });
        if let Some(class) = &compiled.ascii
            && value.is_ascii()
        {
            return (class.empty_matches || !value.is_empty())
                && value.bytes().all(|b| class.allowed[usize::from(b)]);
        }
        match &compiled.regex {
            Some(re) => re.is_match(value),
            None => true,
        }
    }
}

/// The ASCII table of a pattern of the form `[...]+` or `[...]*` (one class, no nesting or
/// escaped brackets), each entry asked of the compiled regex so the two cannot disagree.
fn ascii_class(source: &str, re: &Regex) -> Option<AsciiClass> {
    let inner = source
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix("]+").or_else(|| s.strip_suffix("]*")))?;
    if inner.contains(['[', ']']) {
        return None;
    }
    let mut allowed = [false; 128];
    for (b, slot) in allowed.iter_mut().enumerate() {
        *slot = re.is_match(char::from(b as u8).encode_utf8(&mut [0; 4]));
    }
    Some(AsciiClass {
        allowed,
        empty_matches: re.is_match(""),
    })
}

/// Model patterns are Java regular expressions that must match the whole value. The few
/// the `regex` crate cannot express (a look-behind) are checked by the domain instead.
pub(super) fn compile_pattern(p: &str) -> Option<Regex> {
    let java_fixed = p.replace("0-9-_", "0-9\\-_");
    Regex::new(&format!("^(?:{java_fixed})$")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of a one-class pattern answers as the regex does, for every ASCII value
    /// tried, and non-ASCII values still go to the regex.
    #[test]
    fn class_patterns_answer_by_table_as_the_regex_does() {
        for source in [
            "[A-Za-z0-9-_=.]+",
            "[\\w+-]+",
            "[\\S]*",
            "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ] {
            let p = Pattern::new(source);
            let re = compile_pattern(source).unwrap();
            assert!(ascii_class(source, &re).is_some(), "{source}");
            for value in [
                "",
                "a",
                "abc.DEF-123_=",
                "a b",
                "tab\t",
                "ab/c",
                "x+y",
                "€uro",
                "naïve",
                "a\u{0}",
            ] {
                assert_eq!(p.matches(value), re.is_match(value), "{source} {value:?}");
            }
        }
        assert!(ascii_class("[a-z]+@[a-z]+", &compile_pattern("[a-z]+@[a-z]+").unwrap()).is_none());
    }
}
