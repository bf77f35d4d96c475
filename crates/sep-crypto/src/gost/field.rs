//! Arithmetic modulo the 256-bit primes of ГОСТ Р 34.10-2012's curves: four 64-bit limbs in
//! Montgomery form (`R = 2²⁵⁶`), specialised per prime at compile time — the modulus and its
//! constants are `const`s of a type, so every multiplication is unrolled against known words
//! (issue 20: `crypto-bigint`'s generic forms were four to ten times slower than openssl's
//! engine). Constant time: no branch and no memory index depends on a value, only masks.
//!
//! The functions are `const fn` so that the curves' constants (`a`, `3b`, the base point) are
//! put into Montgomery form by the compiler.

use crypto_bigint::{Odd, U256};
use std::marker::PhantomData;

/// Four little-endian 64-bit words.
pub(crate) type Limbs = [u64; 4];

#[inline(always)]
const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// `a − b − borrow`, and the borrow out (0 or 1).
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, (t >> 127) as u64)
}

/// `a + b·c + carry`, low and high words.
#[inline(always)]
const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + (b as u128) * (c as u128) + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// `a` or `b` by a mask of all ones (take `b`) or all zeros (keep `a`).
#[inline(always)]
const fn pick(a: &Limbs, b: &Limbs, mask: u64) -> Limbs {
    [
        (a[0] & !mask) | (b[0] & mask),
        (a[1] & !mask) | (b[1] & mask),
        (a[2] & !mask) | (b[2] & mask),
        (a[3] & !mask) | (b[3] & mask),
    ]
}

/// `carry·2²⁵⁶ + r`, less `p` when that is at least `p` (the input is below `2p`).
#[inline(always)]
const fn reduce_once(r: &Limbs, carry: u64, p: &Limbs) -> Limbs {
    let (d0, b) = sbb(r[0], p[0], 0);
    let (d1, b) = sbb(r[1], p[1], b);
    let (d2, b) = sbb(r[2], p[2], b);
    let (d3, b) = sbb(r[3], p[3], b);
    let (_, b) = sbb(carry, 0, b);
    // b = 1: the value was below p, keep it.
    pick(&[d0, d1, d2, d3], r, 0u64.wrapping_sub(b))
}

#[inline(always)]
const fn add(a: &Limbs, b: &Limbs, p: &Limbs) -> Limbs {
    let (r0, c) = adc(a[0], b[0], 0);
    let (r1, c) = adc(a[1], b[1], c);
    let (r2, c) = adc(a[2], b[2], c);
    let (r3, c) = adc(a[3], b[3], c);
    reduce_once(&[r0, r1, r2, r3], c, p)
}

#[inline(always)]
const fn sub(a: &Limbs, b: &Limbs, p: &Limbs) -> Limbs {
    let (r0, w) = sbb(a[0], b[0], 0);
    let (r1, w) = sbb(a[1], b[1], w);
    let (r2, w) = sbb(a[2], b[2], w);
    let (r3, w) = sbb(a[3], b[3], w);
    // Went below zero: add p back (the carry out cancels the borrow).
    let m = 0u64.wrapping_sub(w);
    let (r0, c) = adc(r0, p[0] & m, 0);
    let (r1, c) = adc(r1, p[1] & m, c);
    let (r2, c) = adc(r2, p[2] & m, c);
    let (r3, _) = adc(r3, p[3] & m, c);
    [r0, r1, r2, r3]
}

/// Montgomery's reduction of a 512-bit `t`: `t·2⁻²⁵⁶ mod p` for `t < p·2²⁵⁶`.
#[inline(always)]
const fn redc(t: &[u64; 8], p: &Limbs, n0: u64) -> Limbs {
    let mut t = *t;
    let mut top = 0u64;
    let mut i = 0;
    while i < 4 {
        let m = t[i].wrapping_mul(n0);
        let mut carry = 0;
        let mut j = 0;
        while j < 4 {
            let (lo, hi) = mac(t[i + j], m, p[j], carry);
            t[i + j] = lo;
            carry = hi;
            j += 1;
        }
        let (lo, hi) = adc(t[i + 4], carry, top);
        t[i + 4] = lo;
        top = hi;
        i += 1;
    }
    reduce_once(&[t[4], t[5], t[6], t[7]], top, p)
}

/// `(lo, mid, hi) + a·b`: a column accumulator of product scanning.
#[inline(always)]
const fn acc(t: (u64, u64, u64), a: u64, b: u64) -> (u64, u64, u64) {
    let m = (a as u128) * (b as u128);
    let (lo, c) = adc(t.0, m as u64, 0);
    let (mid, c) = adc(t.1, (m >> 64) as u64, c);
    (lo, mid, t.2 + c)
}

/// The 512-bit product `a·b` by columns (product scanning): the 16 word products of a column
/// do not wait for each other's carries.
#[inline(always)]
const fn product(a: &Limbs, b: &Limbs) -> [u64; 8] {
    let t = acc((0, 0, 0), a[0], b[0]);
    let r0 = t.0;
    let t = acc((t.1, t.2, 0), a[0], b[1]);
    let t = acc(t, a[1], b[0]);
    let r1 = t.0;
    let t = acc((t.1, t.2, 0), a[0], b[2]);
    let t = acc(t, a[1], b[1]);
    let t = acc(t, a[2], b[0]);
    let r2 = t.0;
    let t = acc((t.1, t.2, 0), a[0], b[3]);
    let t = acc(t, a[1], b[2]);
    let t = acc(t, a[2], b[1]);
    let t = acc(t, a[3], b[0]);
    let r3 = t.0;
    let t = acc((t.1, t.2, 0), a[1], b[3]);
    let t = acc(t, a[2], b[2]);
    let t = acc(t, a[3], b[1]);
    let r4 = t.0;
    let t = acc((t.1, t.2, 0), a[2], b[3]);
    let t = acc(t, a[3], b[2]);
    let r5 = t.0;
    let t = acc((t.1, t.2, 0), a[3], b[3]);
    [r0, r1, r2, r3, r4, r5, t.0, t.1]
}

/// The 512-bit square: the cross products once and doubled, then the squares (10 word
/// products, not 16).
#[inline(always)]
const fn square_product(a: &Limbs) -> [u64; 8] {
    let mut t = [0u64; 8];
    // Cross products a[i]·a[j], i < j.
    let mut i = 0;
    while i < 3 {
        let mut carry = 0;
        let mut j = i + 1;
        while j < 4 {
            let (lo, hi) = mac(t[i + j], a[i], a[j], carry);
            t[i + j] = lo;
            carry = hi;
            j += 1;
        }
        t[i + 4] = carry;
        i += 1;
    }
    // Doubled.
    let mut k = 7;
    while k > 0 {
        t[k] = (t[k] << 1) | (t[k - 1] >> 63);
        k -= 1;
    }
    t[0] <<= 1;
    // Plus the squares on the diagonal.
    let mut carry = 0;
    let mut i = 0;
    while i < 4 {
        let (lo, hi) = mac(t[2 * i], a[i], a[i], carry);
        t[2 * i] = lo;
        let (lo2, hi2) = adc(t[2 * i + 1], hi, 0);
        t[2 * i + 1] = lo2;
        carry = hi2;
        i += 1;
    }
    t
}

/// `t mod p` for `p = 2²⁵⁶ − c` with a small `c` (below 2³²): `2²⁵⁶ ≡ c`, so the high half
/// folds onto the low one multiplied by `c` — 5 word products where Montgomery's reduction
/// takes 16. For the prime of tc26 A and CryptoPro A (`c = 617`).
#[inline(always)]
const fn fold(t: &[u64; 8], c: u64, p: &Limbs) -> Limbs {
    let (r0, k) = mac(t[0], t[4], c, 0);
    let (r1, k) = mac(t[1], t[5], c, k);
    let (r2, k) = mac(t[2], t[6], c, k);
    let (r3, k) = mac(t[3], t[7], c, k);
    // k·2²⁵⁶ ≡ k·c, with k below 2³³.
    let (r0, k) = mac(r0, k, c, 0);
    let (r1, k) = adc(r1, 0, k);
    let (r2, k) = adc(r2, 0, k);
    let (r3, k) = adc(r3, 0, k);
    // k is 0 or 1 now; when 1 the words are small and one more c cannot carry out.
    let (r0, k) = adc(r0, k * c, 0);
    let (r1, k) = adc(r1, 0, k);
    let (r2, k) = adc(r2, 0, k);
    let (r3, _) = adc(r3, 0, k);
    reduce_once(&[r0, r1, r2, r3], 0, p)
}

/// `−p⁻¹ mod 2⁶⁴` by Newton's iteration (each step doubles the correct bits).
const fn neg_inverse(p0: u64) -> u64 {
    let mut x = 1u64;
    let mut i = 0;
    while i < 7 {
        x = x.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(x)));
        i += 1;
    }
    x.wrapping_neg()
}

/// `2⁵¹² mod p`, by doubling 1 five hundred and twelve times.
const fn r_squared(p: &Limbs) -> Limbs {
    let mut r = [1u64, 0, 0, 0];
    let mut i = 0;
    while i < 512 {
        r = add(&r, &r, p);
        i += 1;
    }
    r
}

/// A 64-digit big-endian hex number as limbs (for constants; a bad digit stops the build).
#[allow(clippy::panic, reason = "evaluated by the compiler for constants: a bad digit stops the build")]
pub(crate) const fn hex(s: &str) -> Limbs {
    let b = s.as_bytes();
    assert!(b.len() == 64, "64 hex digits");
    let mut out = [0u64; 4];
    let mut i = 0;
    while i < 64 {
        let d = match b[i] {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'A'..=b'F' => c - b'A' + 10,
            c @ b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a hex digit"),
        } as u64;
        let bit = (63 - i) * 4;
        out[bit / 64] |= d << (bit % 64);
        i += 1;
    }
    out
}

/// A prime modulus of 256 bits at most, and the constants derived from it.
pub(crate) trait Prime: Copy + Send + Sync + 'static {
    /// The modulus (odd, below `2²⁵⁶`).
    const P: Limbs;
    /// `−p⁻¹ mod 2⁶⁴`.
    const N0: u64 = neg_inverse(Self::P[0]);
    /// `R² mod p`, to enter Montgomery form.
    const R2: Limbs = r_squared(&Self::P);
    /// `c` when `p = 2²⁵⁶ − c` with `c < 2³²`, else 0. Such a prime keeps its elements as they
    /// are and reduces by folding ([`fold`]); any other in Montgomery form.
    const C: u64 = {
        let p = Self::P;
        if p[1] == u64::MAX && p[2] == u64::MAX && p[3] == u64::MAX && p[0] > u64::MAX - (1 << 32) {
            p[0].wrapping_neg()
        } else {
            0
        }
    };
}

/// An element of the field of `M`, reduced: in Montgomery form, or as it is for a prime
/// `2²⁵⁶ − c` (see [`Prime::C`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fe<M: Prime>(Limbs, PhantomData<M>);

impl<M: Prime> Fe<M> {
    pub(crate) const ZERO: Self = Self([0; 4], PhantomData);
    pub(crate) const ONE: Self = Self::from_limbs(&[1, 0, 0, 0]);

    /// The element `x mod p` (`x` below `2²⁵⁶`).
    pub(crate) const fn from_limbs(x: &Limbs) -> Self {
        if M::C != 0 {
            // p > 2²⁵⁵, so one subtraction reduces.
            return Self(reduce_once(x, 0, &M::P), PhantomData);
        }
        // x·R² / R = x·R; an x at or above p comes out reduced as well.
        Self(redc(&product(x, &M::R2), &M::P, M::N0), PhantomData)
    }

    /// The words as kept (Montgomery form or not), for a table that is read back by
    /// [`Fe::from_raw`].
    pub(crate) const fn raw(&self) -> Limbs {
        self.0
    }

    /// What [`Fe::raw`] gave.
    pub(crate) const fn from_raw(x: &Limbs) -> Self {
        Self(*x, PhantomData)
    }

    /// The canonical value in `[0, p)`.
    pub(crate) const fn to_limbs(self) -> Limbs {
        if M::C != 0 {
            return self.0;
        }
        let mut t = [0u64; 8];
        t[0] = self.0[0];
        t[1] = self.0[1];
        t[2] = self.0[2];
        t[3] = self.0[3];
        redc(&t, &M::P, M::N0)
    }

    #[inline(always)]
    pub(crate) const fn add(&self, o: &Self) -> Self {
        Self(add(&self.0, &o.0, &M::P), PhantomData)
    }

    #[inline(always)]
    pub(crate) const fn sub(&self, o: &Self) -> Self {
        Self(sub(&self.0, &o.0, &M::P), PhantomData)
    }

    #[inline(always)]
    pub(crate) const fn double(&self) -> Self {
        self.add(self)
    }

    #[inline(always)]
    pub(crate) const fn neg(&self) -> Self {
        Self::ZERO.sub(self)
    }

    #[inline(always)]
    pub(crate) const fn mul(&self, o: &Self) -> Self {
        Self::reduce(&product(&self.0, &o.0))
    }

    #[inline(always)]
    pub(crate) const fn square(&self) -> Self {
        Self::reduce(&square_product(&self.0))
    }

    #[inline(always)]
    const fn reduce(t: &[u64; 8]) -> Self {
        if M::C != 0 { Self(fold(t, M::C, &M::P), PhantomData) } else { Self(redc(t, &M::P, M::N0), PhantomData) }
    }

    /// All ones when this is zero, else all zeros.
    #[inline(always)]
    pub(crate) fn is_zero_mask(&self) -> u64 {
        let l = self.0;
        let any = l[0] | l[1] | l[2] | l[3];
        // Top bit of (any | −any) is set exactly when any ≠ 0.
        ((any | any.wrapping_neg()) >> 63).wrapping_sub(1)
    }

    /// Whether this is zero (for public values).
    #[inline(always)]
    pub(crate) fn is_zero_vartime(&self) -> bool {
        let l = self.0;
        l[0] | l[1] | l[2] | l[3] == 0
    }

    /// Equality of public values (both are reduced, so the words compare).
    pub(crate) fn eq_vartime(&self, o: &Self) -> bool {
        self.sub(o).is_zero_vartime()
    }

    /// `self` or `other`, by a mask of all ones (take `other`) or zeros.
    #[inline(always)]
    pub(crate) fn pick(&self, other: &Self, mask: u64) -> Self {
        Self(pick(&self.0, &other.0, mask), PhantomData)
    }

    /// The modulus as `crypto-bigint`'s inversions take it.
    fn modulus() -> Odd<U256> {
        Odd::new(U256::from_words(M::P)).expect("the modulus is odd")
    }

    /// `1/self` by Bernstein–Yang's gcd (`crypto-bigint`'s, constant time); 0 for 0. Faster
    /// here than Fermat's `self^(p−2)` (5.7 µs against 7.1 µs for tc26 A's prime).
    pub(crate) fn invert(&self) -> Self {
        let inv = U256::from_words(self.to_limbs()).invert_odd_mod(&Self::modulus()).unwrap_or(U256::ZERO);
        Self::from_limbs(&inv.to_words())
    }

    /// `1/self` for a public value, by Bernstein–Yang's gcd in variable time; 0 for 0.
    pub(crate) fn invert_vartime(&self) -> Self {
        let inv = U256::from_words(self.to_limbs()).invert_odd_mod_vartime(&Self::modulus()).unwrap_or(U256::ZERO);
        Self::from_limbs(&inv.to_words())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
    use proptest::prelude::*;

    #[derive(Clone, Copy, Debug)]
    struct P617;
    impl Prime for P617 {
        const P: Limbs = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97");
    }
    #[derive(Clone, Copy, Debug)]
    struct PC;
    impl Prime for PC {
        const P: Limbs = hex("9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B");
    }

    fn check<M: Prime>(x: [u64; 4], y: [u64; 4]) {
        let params = FixedMontyParams::new_vartime(Odd::new(U256::from_words(M::P)).unwrap());
        let r = |v: [u64; 4]| FixedMontyForm::new(&U256::from_words(v), &params);
        let (a, b) = (Fe::<M>::from_limbs(&x), Fe::<M>::from_limbs(&y));
        let (ra, rb) = (r(x), r(y));
        let words = |f: FixedMontyForm<4>| f.retrieve().to_words();
        assert_eq!(a.mul(&b).to_limbs(), words(ra.mul(&rb)), "mul");
        assert_eq!(a.square().to_limbs(), words(ra.square()), "square");
        assert_eq!(a.add(&b).to_limbs(), words(ra.add(&rb)), "add");
        assert_eq!(a.sub(&b).to_limbs(), words(ra.sub(&rb)), "sub");
        assert_eq!(a.neg().to_limbs(), words(ra.neg()), "neg");
        if a.is_zero_mask() == 0 {
            assert_eq!(a.invert().mul(&a).to_limbs(), [1, 0, 0, 0], "inverse");
            assert_eq!(a.invert_vartime().to_limbs(), a.invert().to_limbs(), "either inversion");
        } else {
            assert_eq!(a.invert().to_limbs(), [0; 4], "1/0 comes out 0");
        }
    }

    #[test]
    fn constants_are_right() {
        assert_eq!(P617::C, 617, "2²⁵⁶ − 617 folds");
        assert_eq!(PC::C, 0, "a prime of no special form is in Montgomery form");
        assert_eq!(PC::N0.wrapping_mul(PC::P[0]), u64::MAX, "−p⁻¹·p = −1 mod 2⁶⁴");
        assert_eq!(Fe::<P617>::ONE.to_limbs(), [1, 0, 0, 0]);
        assert_eq!(Fe::<PC>::from_limbs(&PC::P).to_limbs(), [0; 4], "p reduces to 0");
        check::<P617>([u64::MAX; 4], [u64::MAX; 4]);
        check::<P617>([0; 4], [1, 0, 0, 0]);
        check::<PC>(PC::P, [0, 0, 0, 1 << 63]);
    }

    proptest! {
        #[test]
        fn the_field_agrees_with_crypto_bigint(x in any::<[u64; 4]>(), y in any::<[u64; 4]>()) {
            check::<P617>(x, y);
            check::<PC>(x, y);
        }
    }
}
