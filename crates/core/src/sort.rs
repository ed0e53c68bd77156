//! One stable sort for every element type: the slice's indices are sorted (a single
//! instantiation of the standard library's sort, behind a `dyn` comparator) and the elements are
//! then moved into that order. The standard sort instantiated per element type costs a few KB of
//! wasm each.

use std::cmp::Ordering;

fn sort_indices(indices: &mut [u32], cmp: &dyn Fn(usize, usize) -> Ordering) {
    indices.sort_by(|a, b| cmp(*a as usize, *b as usize));
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
