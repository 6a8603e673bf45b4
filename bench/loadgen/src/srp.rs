//! USER_SRP_AUTH, both steps, as a client does it (REFERENCE.md §5), and the ceiling it is
//! judged against: the server's three exponentiations per sign-in (`g^b`, `v^u`,
//! `(A·v^u)^b`, 256-bit exponents in the 3072-bit group), measured with the same crate and
//! the same constant-time `pow` Cognate uses, on every core.
//!
//! The client's own cost is kept small so it takes little of the machine: each worker uses
//! one `a` for all its sign-ins (the server cannot tell), caches `g^x` per user, and does one
//! variable-time exponentiation per sign-in.

use super::*;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, U3072};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
type Element = FixedMontyForm<{ U3072::LIMBS }>;

struct Group {
    params: FixedMontyParams<{ U3072::LIMBS }>,
    g: Element,
    k: Element,
}

fn group() -> &'static Group {
    static G: std::sync::OnceLock<Group> = std::sync::OnceLock::new();
    G.get_or_init(|| {
        let n = U3072::from_be_hex(N_HEX);
        let params = FixedMontyParams::new_vartime(Odd::new(n).unwrap());
        let k = U3072::from_be_slice(&wide(
            &Sha256::new()
                .chain_update(pad(&n))
                .chain_update([2u8])
                .finalize(),
        ));
        Group {
            g: Element::new(&U3072::from_u8(2), &params),
            k: Element::new(&k, &params),
            params,
        }
    })
}

fn wide(bytes: &[u8]) -> [u8; 384] {
    let mut out = [0u8; 384];
    out[384 - bytes.len()..].copy_from_slice(bytes);
    out
}

fn pad(v: &U3072) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let b: &[u8] = bytes.as_ref();
    let first = b.iter().position(|x| *x != 0).unwrap_or(b.len() - 1);
    let mut out = Vec::new();
    if b[first] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&b[first..]);
    out
}

fn from_hex(h: &str) -> U3072 {
    let h = if h.len() % 2 == 1 {
        format!("0{h}")
    } else {
        h.to_owned()
    };
    U3072::from_be_slice(&wide(&hex::decode(h).expect("hex")))
}

/// One worker's SRP client: its `a`, `A` and the `g^x` of the users it signed in.
pub(crate) struct Client {
    a: U256,
    big_a: U3072,
    big_a_hex: String,
    gx: HashMap<String, (U256, Element)>,
}

impl Client {
    pub(crate) fn new(seed: u64) -> Self {
        let mut bytes = [0u8; 32];
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            chunk.copy_from_slice(
                &(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64).to_be_bytes(),
            );
        }
        let a = U256::from_be_slice(&bytes);
        let big_a = group().g.pow_vartime(&a).retrieve();
        Self {
            a,
            big_a_hex: hex::encode(pad(&big_a)),
            big_a,
            gx: HashMap::new(),
        }
    }

    /// Both steps for `user`; the second step's answer.
    pub(crate) async fn sign_in(
        &mut self,
        conn: &mut Conn,
        signer: &mut Signer,
        s: &State,
        user: &str,
    ) -> Result<(hyper::StatusCode, bytes::Bytes), String> {
        let step1 = json_call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id,
                   "AuthParameters": {"USERNAME": user, "SRP_A": self.big_a_hex}}),
            false,
        );
        let (status, body) = conn.send(&step1, signer).await?;
        if !status.is_success() {
            return Ok((status, body));
        }
        let out: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        let p = &out["ChallengeParameters"];
        let field = |k: &str| {
            p[k].as_str()
                .map(str::to_owned)
                .ok_or(format!("no {k} in {out}"))
        };
        let (salt, big_b, block, user_id) = (
            field("SALT")?,
            field("SRP_B")?,
            field("SECRET_BLOCK")?,
            field("USER_ID_FOR_SRP")?,
        );
        let g = group();
        let pool_name = s.pool_id.split_once('_').map_or("", |(_, n)| n).to_owned();
        let (x, gx) = self.gx.entry(user_id.clone()).or_insert_with(|| {
            let identity = Sha256::new()
                .chain_update(format!("{pool_name}{user_id}:{PASSWORD}"))
                .finalize();
            let digest = Sha256::new()
                .chain_update(pad(&from_hex(&salt)))
                .chain_update(identity)
                .finalize();
            let x = U256::from_be_slice(&digest);
            (x, g.g.pow_vartime(&x))
        });
        let b_value = from_hex(&big_b);
        let u_digest = Sha256::new()
            .chain_update(pad(&self.big_a))
            .chain_update(pad(&b_value))
            .finalize();
        let u = U256::from_be_slice(&u_digest);
        let base = Element::new(&b_value, &g.params) - g.k * *gx;
        let exp = self
            .a
            .resize::<8>()
            .wrapping_add(&u.resize::<8>().wrapping_mul(&x.resize::<8>()));
        let secret = base.pow_vartime(&exp).retrieve();
        let mut key = [0u8; 16];
        hkdf::Hkdf::<Sha256>::new(
            Some(&pad(&U3072::from_be_slice(&wide(&u_digest)))),
            &pad(&secret),
        )
        .expand(b"Caldera Derived Key", &mut key)
        .expect("16 bytes");
        let timestamp = timestamp_now();
        let block_bytes = base64::engine::general_purpose::STANDARD
            .decode(&block)
            .map_err(|e| e.to_string())?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("key");
        mac.update(pool_name.as_bytes());
        mac.update(user_id.as_bytes());
        mac.update(&block_bytes);
        mac.update(timestamp.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let step2 = json_call(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": s.client_id,
                   "ChallengeResponses": {"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": block,
                       "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": timestamp}}),
            false,
        );
        conn.send(&step2, signer).await
    }
}

/// `EEE MMM d HH:mm:ss UTC yyyy`, now.
fn timestamp_now() -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = crate::sigv4::civil(days);
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        year
    )
}

/// One SRP verifier `g^x` for a 256-bit `x` derived from `seed`, constant-time as Cognate
/// computes it at every password change (part of the sign-up ceiling, main.rs).
pub(crate) fn verifier(seed: u64) -> U3072 {
    let x = U256::from_u64(seed ^ 0x5eed_5eed_5eed_5eed).wrapping_mul(&U256::MAX.shr_vartime(3));
    group().g.pow(&x).retrieve()
}

/// `loadgen modexp --seconds S [--signatures N]`: the server's side of one SRP sign-in (three
/// constant-time exponentiations with 256-bit exponents), as many as every core does in S
/// seconds. With `--signatures 2`, each is followed by the two RS256 signatures of the tokens
/// it answers with (rs256.rs): all the arithmetic a sign-in cannot do without.
pub(crate) fn ceiling(a: &HashMap<String, String>) {
    let seconds: f64 = get_or(a, "seconds", 5.0);
    let signatures: usize = get_or(a, "signatures", 0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let g = group();
    // Keys are made before the clock starts.
    let mut signers: Vec<Option<crate::rs256::Signer>> = (0..cores)
        .map(|_| (signatures > 0).then(crate::rs256::Signer::new))
        .collect();
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let handles: Vec<_> = (0..cores)
        .map(|t| {
            let mut signer = signers.pop().flatten();
            std::thread::spawn(move || {
                let mut n = 0u64;
                let mut e = U256::from_u64(0x1234_5678_9abc_def1 ^ t as u64)
                    .wrapping_mul(&U256::MAX.shr_vartime(3));
                let mut acc = g.g;
                while Instant::now() < deadline {
                    // g^b, v^u, (A·v^u)^b: three 256-bit exponents, as Cognate's step one.
                    let gb = g.g.pow(&e);
                    let vu = acc.pow(&e);
                    acc = (gb * vu).pow(&e);
                    if let Some(signer) = signer.as_mut() {
                        for _ in 0..signatures {
                            signer.sign();
                        }
                    }
                    e = e.wrapping_add(&U256::ONE);
                    n += 1;
                }
                std::hint::black_box(acc);
                n
            })
        })
        .collect();
    let n: u64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    let secs = start.elapsed().as_secs_f64();
    print(&json!({
        "sign_ins": n,
        "seconds": secs,
        "threads": cores,
        "signatures": signatures,
        "per_sec": n as f64 / secs,
        "ms_per_sign_in": secs * 1000.0 * cores as f64 / n as f64,
    }));
}
