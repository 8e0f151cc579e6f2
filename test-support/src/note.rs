//! GNU property notes for synthetic test programs.

/// A little-endian ELF64 `NT_GNU_PROPERTY_TYPE_0` note ("GNU") holding `props` (type,
/// data), each padded to 8 bytes: the contents of a `PT_GNU_PROPERTY` segment.
pub fn property_note(props: &[(u32, &[u8])]) -> Vec<u8> {
    let mut desc = Vec::new();
    for (t, data) in props {
        desc.extend_from_slice(&t.to_le_bytes());
        desc.extend_from_slice(&(data.len() as u32).to_le_bytes());
        desc.extend_from_slice(data);
        while desc.len() % 8 != 0 {
            desc.push(0);
        }
    }
    let mut n = Vec::new();
    n.extend_from_slice(&4u32.to_le_bytes());
    n.extend_from_slice(&(desc.len() as u32).to_le_bytes());
    n.extend_from_slice(&5u32.to_le_bytes());
    n.extend_from_slice(b"GNU\0");
    n.extend_from_slice(&desc);
    n
}
