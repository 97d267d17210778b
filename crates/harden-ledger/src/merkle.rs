//! A Merkle tree over the ledger's entries, hashed as RFC 6962 and RFC 9162 (Certificate
//! Transparency) hash their logs, so one entry can be proven part of a ledger of a given size
//! and root without handing over the rest (an inclusion proof), and a ledger can be proven to
//! have only grown between two sizes (a consistency proof).
//!
//! Leaf `i` (0-based) is entry `i + 1`; its data is the entry's 32-byte chain hash, which
//! commits to the entry's content. Leaf hash: SHA-256(0x00 ‖ data); interior node:
//! SHA-256(0x01 ‖ left ‖ right); the root of an empty tree is SHA-256 of nothing. No I/O here:
//! callers hand in the leaves' data.

use sha2::{Digest as _, Sha256};

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// Leaf hash of `data` (RFC 6962 §2.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(data);
    hasher.finalize().into()
}

/// Interior node hash of two children (RFC 6962 §2.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The largest power of two smaller than `n` (for `n > 1`).
fn split(n: usize) -> usize {
    debug_assert!(n > 1);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The Merkle tree hash of the leaves whose leaf hashes are `leaves` (RFC 6962 §2.1 MTH).
/// Computed bottom-up, level by level, without recursion.
pub fn root(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return Sha256::digest([]).into();
    }
    let mut level: Vec<Hash> = leaves.to_vec();
    while level.len() > 1 {
        // Pairs from the left; an odd last node moves up unchanged, which is the same tree
        // as RFC 6962's split at the largest power of two.
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [left, right] => node_hash(left, right),
                [single] => *single,
                _ => unreachable!("chunks of two"),
            })
            .collect();
    }
    level[0]
}

/// The audit path proving leaf `index` is in the tree of `leaves` (RFC 6962 §2.1.1 PATH),
/// leaf-side sibling first.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Vec<Hash> {
    let mut proof = Vec::new();
    path(leaves, index, &mut proof);
    proof
}

fn path(leaves: &[Hash], index: usize, proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if index < k {
        path(&leaves[..k], index, proof);
        proof.push(root(&leaves[k..]));
    } else {
        path(&leaves[k..], index - k, proof);
        proof.push(root(&leaves[..k]));
    }
}

/// Whether `proof` shows the leaf with hash `leaf` at `index` in a tree of `size` leaves whose
/// root is `expected` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    expected: &Hash,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == *expected
}

/// The proof that the tree of the first `first` leaves is a prefix of the tree of `leaves`
/// (RFC 6962 §2.1.2 PROOF). Empty when `first` is 0 or all of `leaves`.
pub fn consistency_proof(leaves: &[Hash], first: usize) -> Vec<Hash> {
    let mut proof = Vec::new();
    if first > 0 && first < leaves.len() {
        subproof(first, leaves, true, &mut proof);
    }
    proof
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            proof.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, proof);
        proof.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, proof);
        proof.push(root(&leaves[..k]));
    }
}

/// Whether `proof` shows the tree of `first` leaves with root `first_root` is a prefix of the
/// tree of `second` leaves with root `second_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    first: u64,
    second: u64,
    proof: &[Hash],
    first_root: &Hash,
    second_root: &Hash,
) -> bool {
    if first > second {
        return false;
    }
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 {
        // Every tree extends the empty one, whose root is the hash of nothing.
        return proof.is_empty() && *first_root == root(&[]);
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, *first_root);
    }
    let (mut fn_, mut sn) = (first - 1, second - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let Some((head, rest)) = path.split_first() else {
        return false;
    };
    let (mut fr, mut sr) = (*head, *head);
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    fr == *first_root && sr == *second_root && sn == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962's recursive definition, as the reference the level-by-level root must match.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => Sha256::digest([]).into(),
            1 => leaves[0],
            n => {
                let k = split(n);
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&(i as u64).to_be_bytes()))
            .collect()
    }

    #[test]
    fn roots_match_the_recursive_definition() {
        for n in 0..70 {
            assert_eq!(root(&leaves(n)), reference_root(&leaves(n)), "{n}");
        }
    }

    #[test]
    fn every_leaf_proves_its_inclusion_and_nothing_else_does() {
        for n in 1..40usize {
            let all = leaves(n);
            let top = root(&all);
            for i in 0..n {
                let proof = inclusion_proof(&all, i);
                assert!(
                    verify_inclusion(&all[i], i as u64, n as u64, &proof, &top),
                    "{i} of {n}"
                );
                // Another leaf, index, size or root does not verify.
                let other = leaf_hash(b"tampered");
                assert!(!verify_inclusion(&other, i as u64, n as u64, &proof, &top));
                if n > 1 {
                    let j = (i + 1) % n;
                    assert!(!verify_inclusion(&all[i], j as u64, n as u64, &proof, &top));
                }
                // The root names the tree (a size alone does not: RFC 9162 signs both): the
                // proof does not verify against the tree one entry larger.
                let bigger = root(&leaves(n + 1));
                assert!(!verify_inclusion(
                    &all[i],
                    i as u64,
                    n as u64 + 1,
                    &proof,
                    &bigger
                ));
                assert!(!verify_inclusion(
                    &all[i],
                    i as u64,
                    n as u64,
                    &proof,
                    &leaf_hash(b"x")
                ));
            }
        }
    }

    #[test]
    fn a_grown_tree_is_consistent_with_every_earlier_size_and_a_rewritten_one_is_not() {
        for n in 1..40usize {
            let all = leaves(n);
            let second = root(&all);
            for m in 0..=n {
                let first = root(&all[..m]);
                let proof = consistency_proof(&all, m);
                assert!(
                    verify_consistency(m as u64, n as u64, &proof, &first, &second),
                    "{m} -> {n}"
                );
                if m == 0 {
                    // The empty tree has one root only.
                    assert!(!verify_consistency(
                        0,
                        n as u64,
                        &proof,
                        &leaf_hash(b"x"),
                        &second
                    ));
                }
                if m > 0 && m < n {
                    // A first tree that was not a prefix: its root differs.
                    let mut rewritten = all[..m].to_vec();
                    rewritten[m - 1] = leaf_hash(b"rewritten");
                    let wrong = root(&rewritten);
                    assert!(!verify_consistency(
                        m as u64, n as u64, &proof, &wrong, &second
                    ));
                    // A shrunk ledger: the sizes reversed never verify.
                    assert!(!verify_consistency(
                        n as u64, m as u64, &proof, &second, &first
                    ));
                }
            }
        }
    }

    #[test]
    fn known_answer_for_a_small_tree() {
        // Leaf hashes of the empty string and of 0x00, as in RFC 6962's examples.
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        assert_eq!(
            hex::encode(root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
