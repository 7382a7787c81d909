//! Decompression with a cap on the output, so a 10 KB `.html.gz` that inflates to 10 GB (a
//! "gzip bomb") is refused after `limit` bytes instead of exhausting memory.

use std::io::Read;

use crate::ExtractError;

/// True when `bytes` start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1F, 0x8B])
}

/// Inflates gzip data (all members), refusing output larger than `limit` bytes.
pub fn gunzip_capped(bytes: &[u8], limit: usize) -> Result<Vec<u8>, ExtractError> {
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    // Read one byte past the limit to tell "exactly at the limit" from "over it".
    let mut limited = decoder.take(limit as u64 + 1);
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit));
    limited
        .read_to_end(&mut out)
        .map_err(|e| ExtractError::Decompress(e.to_string()))?;
    if out.len() > limit {
        return Err(ExtractError::TooLarge { size: out.len(), limit });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn round_trip_under_limit() {
        let data = b"<p>hello</p>".repeat(100);
        assert_eq!(gunzip_capped(&gz(&data), 10_000).unwrap(), data);
    }

    #[test]
    fn bomb_is_refused_at_the_cap() {
        let bomb = gz(&vec![b'a'; 50 * 1024 * 1024]);
        assert!(bomb.len() < 200 * 1024, "the bomb is small: {}", bomb.len());
        match gunzip_capped(&bomb, 1024 * 1024) {
            Err(ExtractError::TooLarge { limit, .. }) => assert_eq!(limit, 1024 * 1024),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let mut data = gz(b"<p>hello world, hello world</p>");
        let n = data.len();
        data.truncate(n - 12);
        data.extend_from_slice(&[0xFF; 4]);
        assert!(gunzip_capped(&data, 1024).is_err());
    }
}
