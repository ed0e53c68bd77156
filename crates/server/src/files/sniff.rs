//! What an upload's first bytes say it is: which allowed image type, how many pixels, and
//! whether it is an executable program. The declared `Content-Type` is never trusted alone.

/// How many leading bytes are kept for these checks (a JPEG's size may follow big EXIF blocks).
pub const HEAD_BYTES: usize = 256 * 1024;

/// An allowed image type (one of `limits::IMAGE_TYPES`) and its pixels (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The image `head` starts, if it is a PNG, JPEG, GIF, WebP or BMP.
pub fn image(head: &[u8]) -> Option<ImageInfo> {
    let info = |content_type, (width, height): (u32, u32)| ImageInfo {
        content_type,
        width,
        height,
    };
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(info("image/png", (be32(head, 16), be32(head, 20))))
    } else if head.starts_with(b"\xff\xd8\xff") {
        Some(info("image/jpeg", jpeg_size(head)))
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(info(
            "image/gif",
            (u32::from(le16(head, 6)), u32::from(le16(head, 8))),
        ))
    } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        Some(info("image/webp", webp_size(head)))
    } else if head.starts_with(b"BM") && head.len() >= 26 {
        Some(info("image/bmp", bmp_size(head)))
    } else {
        None
    }
}

/// Whether `head` starts a Windows PE, ELF or Mach-O program.
pub fn is_executable(head: &[u8]) -> bool {
    const MACH_O: [[u8; 4]; 5] = [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xcf, 0xfa, 0xed, 0xfe],
        [0xca, 0xfe, 0xba, 0xbe],
    ];
    if head.starts_with(b"\x7fELF") || MACH_O.iter().any(|m| head.starts_with(m)) {
        return true;
    }
    // A PE file: "MZ", and at the offset in its DOS header, "PE\0\0". A text that merely
    // starts with "MZ" is not one.
    head.starts_with(b"MZ") && {
        let at = usize::try_from(le32(head, 0x3c)).unwrap_or(usize::MAX);
        head.get(at..at.saturating_add(4)) == Some(b"PE\0\0")
    }
}

/// Declared types that name executable programs.
pub fn is_executable_type(content_type: &str) -> bool {
    const TYPES: &[&str] = &[
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-ms-installer",
        "application/x-msi",
        "application/vnd.microsoft.portable-executable",
        "application/x-executable",
        "application/x-elf",
        "application/x-mach-binary",
        "application/x-sharedlib",
    ];
    TYPES.contains(&content_type)
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_be_bytes)
}

fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn le16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u16::from_le_bytes)
}

fn be16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u16::from_be_bytes)
}

/// A JPEG's size from its first start-of-frame segment; (0, 0) if not within `head`.
fn jpeg_size(head: &[u8]) -> (u32, u32) {
    let mut at = 2;
    while at + 4 <= head.len() {
        if head[at] != 0xff {
            return (0, 0);
        }
        let marker = head[at + 1];
        match marker {
            // Fill bytes before a marker.
            0xff => at += 1,
            // Markers without a length.
            0x01 | 0xd0..=0xd9 => at += 2,
            // SOF0..SOF15 but DHT (c4), JPG (c8) and DAC (cc).
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                return (u32::from(be16(head, at + 7)), u32::from(be16(head, at + 5)));
            }
            _ => at += 2 + usize::from(be16(head, at + 2)),
        }
    }
    (0, 0)
}

/// A WebP's canvas size from its first chunk (lossy, lossless or extended).
fn webp_size(head: &[u8]) -> (u32, u32) {
    match head.get(12..16) {
        Some(b"VP8 ") if head.get(23..26) == Some(&[0x9d, 0x01, 0x2a]) => (
            u32::from(le16(head, 26) & 0x3fff),
            u32::from(le16(head, 28) & 0x3fff),
        ),
        Some(b"VP8L") if head.get(20) == Some(&0x2f) => {
            let bits = le32(head, 21);
            ((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1)
        }
        Some(b"VP8X") => {
            let le24 = |at: usize| {
                u32::from(le16(head, at)) | head.get(at + 2).map_or(0, |&b| u32::from(b) << 16)
            };
            (le24(24) + 1, le24(27) + 1)
        }
        _ => (0, 0),
    }
}

/// A BMP's size from its DIB header (core or info form; a top-down one has a negative height).
fn bmp_size(head: &[u8]) -> (u32, u32) {
    if le32(head, 14) == 12 {
        (u32::from(le16(head, 18)), u32::from(le16(head, 20)))
    } else {
        let signed = |v: u32| i32::from_le_bytes(v.to_le_bytes()).unsigned_abs();
        (signed(le32(head, 18)), signed(le32(head, 22)))
    }
}

#[cfg(test)]
pub(crate) mod samples {
    /// A 3x2 PNG header (enough for the checks: they read no further than IHDR).
    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(width.to_be_bytes());
        b.extend(height.to_be_bytes());
        b.extend([8, 6, 0, 0, 0]);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_told_by_their_bytes_with_their_size() {
        assert_eq!(
            image(&samples::png(3, 2)),
            Some(ImageInfo {
                content_type: "image/png",
                width: 3,
                height: 2
            })
        );
        let gif = b"GIF89a\x05\x00\x04\x00rest";
        assert_eq!(image(gif).map(|i| (i.width, i.height)), Some((5, 4)));
        // SOI, an APP0 of 4 bytes, SOF0: length, precision, height 16, width 32.
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00,
            0x10, 0x00, 0x20,
        ];
        assert_eq!(
            image(&jpeg).map(|i| (i.content_type, i.width, i.height)),
            Some(("image/jpeg", 32, 16))
        );
        let mut bmp = b"BM".to_vec();
        bmp.extend([0; 12]);
        bmp.extend(40u32.to_le_bytes());
        bmp.extend(7i32.to_le_bytes());
        bmp.extend((-9i32).to_le_bytes());
        assert_eq!(image(&bmp).map(|i| (i.width, i.height)), Some((7, 9)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X".to_vec();
        webp.extend([0; 8]);
        webp.extend([99, 0, 0, 49, 0, 0]);
        assert_eq!(
            image(&webp).map(|i| (i.content_type, i.width, i.height)),
            Some(("image/webp", 100, 50))
        );
        for not_image in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'/>"[..],
            b"hello",
            b"",
        ] {
            assert_eq!(image(not_image), None);
        }
    }

    #[test]
    fn truncated_headers_give_no_size_and_no_panic() {
        for n in 0..30 {
            let png = samples::png(3, 2);
            let _ = image(&png[..n.min(png.len())]);
            let _ = image(&b"\xff\xd8\xff\xe0\xff\xff"[..n.min(6)]);
            let _ = is_executable(&b"MZ"[..n.min(2)]);
        }
    }

    #[test]
    fn executables_are_told_by_their_bytes() {
        assert!(is_executable(b"\x7fELF\x02\x01"));
        assert!(is_executable(&[0xcf, 0xfa, 0xed, 0xfe, 7]));
        let mut pe = b"MZ".to_vec();
        pe.resize(0x3c, 0);
        pe.extend(0x40u32.to_le_bytes());
        pe.extend(b"PE\0\0");
        assert!(is_executable(&pe));
        assert!(!is_executable(b"MZ is how this text starts"));
        assert!(!is_executable(b"%PDF-1.7"));
        assert!(is_executable_type("application/x-msdownload"));
        assert!(!is_executable_type("application/pdf"));
    }
}
