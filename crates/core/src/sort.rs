//! One stable sort for every element type: the slice's indices are sorted (one small merge
//! sort behind a `dyn` comparator) and the elements are then moved into that order. The standard
//! sort instantiated per element type costs a few KB of wasm each.

use std::cmp::Ordering;

/// A bottom-up merge sort (stable) of indices: a few hundred bytes of wasm, where the standard
/// library's sort is a few KB.
fn sort_indices(indices: &mut Vec<u32>, cmp: &dyn Fn(usize, usize) -> Ordering) {
    let n = indices.len();
    let mut buf = vec![0u32; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Take from the right run only when strictly less: equal elements keep order.
                if cmp(indices[j] as usize, indices[i] as usize) == Ordering::Less {
                    buf[k] = indices[j];
                    j += 1;
                } else {
                    buf[k] = indices[i];
                    i += 1;
                }
                k += 1;
            }
            buf[k..k + (mid - i)].copy_from_slice(&indices[i..mid]);
            k += mid - i;
            buf[k..k + (end - j)].copy_from_slice(&indices[j..end]);
            start = end;
        }
        std::mem::swap(indices, &mut buf);
        width *= 2;
    }
}

/// Sorts `v` by `cmp`, stably (equal elements keep their order), like `slice::sort_by`.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let mut indices: Vec<u32> = (0..v.len() as u32).collect();
    sort_indices(&mut indices, &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(indices.iter().filter_map(|&i| slots[i as usize].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut seed = 7u64;
        for len in [0usize, 1, 2, 3, 17, 100, 1000] {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 59) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = v;
            std.sort_by_key(|a| a.0);
            assert_eq!(ours, std);
        }
    }
}
