//! Points of a short Weierstrass curve `y² = x³ + a·x + b` over a [`Prime`] field, and the two
//! scalar multiplications a signature needs (issue 20):
//!
//! - `k·G` for signing, in **constant time** with respect to `k`: a fixed-base comb over a table
//!   of `j·64ⁱ·G` (43 rows of 32 affine points, made once per curve), signed radix-64 digits,
//!   every row read whole and the entry picked by masks, added by the complete formulas of
//!   Renes, Costello and Batina (2016, algorithm 2) — 43 additions and no doubling;
//! - `z₁·G + z₂·Q` for verifying, on **public** data, so in variable time: `z₁·G` from the same
//!   table, `z₂·Q` by a width-5 NAF, in Jacobian coordinates (doubling for `a = −3` where the
//!   curve has it).
//!
//! The simple ladder these replace stays in the tests as the reference they are held to.

use super::field::{Fe, Limbs, Prime};

/// A curve's constants; `P` (the field) is the curve's prime.
///
/// The arithmetic may run on an isomorphic curve `y² = x³ + a·u⁴·x + b·u⁶` whose `a` is 3 or
/// −3, so that multiplying by `a` is two additions: a point `(x, y)` of the curve is
/// `(u²·x, u³·y)` there. tc26 A's `a` is neither, but `3/a` is a fourth power (issue 20).
pub(crate) trait Params: Prime {
    /// `a`, `b` and the base point of the curve the arithmetic runs on, canonical.
    const A: Limbs;
    const B: Limbs;
    const GX: Limbs;
    const GY: Limbs;
    /// `u²`, `u³` and their inverses when the arithmetic runs on an isomorphic curve.
    const MAP: Option<[Limbs; 4]> = None;
    /// In Montgomery form, computed by the compiler.
    const A_M: Fe<Self> = Fe::from_limbs(&Self::A);
    /// 3 when `a = 3`, −3 when `a = −3`, else 0.
    const A_SMALL: i8 = {
        let three = Fe::<Self>::from_limbs(&[3, 0, 0, 0]).to_limbs();
        let minus = Fe::<Self>::from_limbs(&[3, 0, 0, 0]).neg().to_limbs();
        let a = Self::A;
        if a[0] == three[0] && a[1] == three[1] && a[2] == three[2] && a[3] == three[3] {
            3
        } else if a[0] == minus[0] && a[1] == minus[1] && a[2] == minus[2] && a[3] == minus[3] {
            -3
        } else {
            0
        }
    };
    const B3_M: Fe<Self> = {
        let b = Fe::from_limbs(&Self::B);
        b.double().add(&b)
    };
    /// The comb table, made at first use.
    fn table() -> &'static Table<Self>;

    /// `a·x`.
    #[inline(always)]
    fn mul_a(x: &Fe<Self>) -> Fe<Self> {
        match Self::A_SMALL {
            3 => x.double().add(x),
            -3 => x.double().add(x).neg(),
            _ => Self::A_M.mul(x),
        }
    }

    /// A point of the curve, on the curve the arithmetic runs on.
    fn map_in(x: &Limbs, y: &Limbs) -> Affine<Self> {
        let (x, y) = (Fe::from_limbs(x), Fe::from_limbs(y));
        match Self::MAP {
            Some([u2, u3, _, _]) => Affine { x: x.mul(&Fe::from_limbs(&u2)), y: y.mul(&Fe::from_limbs(&u3)) },
            None => Affine { x, y },
        }
    }

    /// And back, from affine coordinates.
    fn map_out(x: Fe<Self>, y: Fe<Self>) -> (Limbs, Limbs) {
        match Self::MAP {
            Some([_, _, u2_inv, u3_inv]) => {
                (x.mul(&Fe::from_limbs(&u2_inv)).to_limbs(), y.mul(&Fe::from_limbs(&u3_inv)).to_limbs())
            }
            None => (x.to_limbs(), y.to_limbs()),
        }
    }
}

/// Bits per digit of the comb: radix `2^WIDTH`, signed digits.
const WIDTH: usize = 6;
/// Rows of the comb: enough signed digits for a 256-bit scalar and its last carry.
const ROWS: usize = 257_usize.div_ceil(WIDTH);
/// Entries per row: the multiples `1..=2^(WIDTH−1)` of the row's base `2^(WIDTH·i)·G`.
const ENTRIES: usize = 1 << (WIDTH - 1);

/// An affine point (never the identity).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Affine<C: Params> {
    x: Fe<C>,
    y: Fe<C>,
}

/// `j·64ⁱ·G` for `j` in 1..=32, row by row (the comb), and `G, 3G, …, 63G` and the same of
/// `2¹²⁸·G` (for width-7 NAFs of a verification's halves).
pub(crate) struct Table<C: Params> {
    rows: Box<[[Affine<C>; ENTRIES]; ROWS]>,
    odd: [Affine<C>; ODD_G],
    odd_hi: [Affine<C>; ODD_G],
}

/// Odd multiples of `G` kept for verification: a width-7 NAF's digits are odd, below 64.
const ODD_G: usize = 32;

impl<C: Params> Table<C> {
    /// The table of the curve's base point, computed in variable time (public data).
    pub(crate) fn new() -> Self {
        let mut jac = Vec::with_capacity(ROWS * ENTRIES);
        let mut base = Jacobian::<C>::from_affine(&Affine { x: Fe::from_limbs(&C::GX), y: Fe::from_limbs(&C::GY) });
        for _ in 0..ROWS {
            let mut multiple = base;
            for _ in 0..ENTRIES {
                jac.push(multiple);
                multiple = multiple.add(&base);
            }
            // 2^WIDTH·base = 2·(ENTRIES·base).
            base = jac[jac.len() - 1].double();
        }
        for start in jac[0].and_high_half() {
            start.push_odd_multiples(ODD_G, &mut jac);
        }
        let affine = Jacobian::normalize_all(&jac);
        let mut rows = Box::new([[affine[0]; ENTRIES]; ROWS]);
        for (i, row) in rows.iter_mut().enumerate() {
            row.copy_from_slice(&affine[i * ENTRIES..(i + 1) * ENTRIES]);
        }
        let (mut odd, mut odd_hi) = ([affine[0]; ODD_G], [affine[0]; ODD_G]);
        odd.copy_from_slice(&affine[ROWS * ENTRIES..ROWS * ENTRIES + ODD_G]);
        odd_hi.copy_from_slice(&affine[ROWS * ENTRIES + ODD_G..]);
        Self { rows, odd, odd_hi }
    }

    /// Row `i`'s entry `|d|` (1..=ENTRIES), negated when `d < 0`; any entry when `d = 0`. Every
    /// entry of the row is read, the wanted one kept by masks.
    #[inline(always)]
    fn pick(&self, i: usize, d: i32) -> Affine<C> {
        let neg = (d >> 31) as u64; // all ones when d < 0
        let abs = ((d ^ (d >> 31)) - (d >> 31)) as u64;
        let row = &self.rows[i];
        let mut out = row[0];
        for (j, entry) in row.iter().enumerate() {
            // All ones when j + 1 == abs.
            let diff = (j as u64 + 1) ^ abs;
            let eq = ((diff | diff.wrapping_neg()) >> 63).wrapping_sub(1);
            out.x = out.x.pick(&entry.x, eq);
            out.y = out.y.pick(&entry.y, eq);
        }
        out.y = out.y.pick(&out.y.neg(), neg);
        out
    }
}

/// `k` as signed digits in `[−2^(WIDTH−1), 2^(WIDTH−1))`, `k = Σ dᵢ·2^(WIDTH·i)`, without a
/// branch on `k`.
fn radix(k: &Limbs) -> [i32; ROWS] {
    let mut digits = [0i32; ROWS];
    let mut carry = 0i32;
    for (i, d) in digits.iter_mut().enumerate() {
        let bit = i * WIDTH;
        let (w, b) = (bit / 64, bit % 64);
        let mut window = k[w] >> b;
        if b > 64 - WIDTH && w < 3 {
            window |= k[w + 1] << (64 - b);
        }
        let v = (window & ((1 << WIDTH) - 1)) as i32 + carry;
        carry = (v + (1 << (WIDTH - 1))) >> WIDTH;
        *d = v - (carry << WIDTH);
    }
    digits
}

/// A point in projective coordinates `(X : Y : Z)`, `x = X/Z`, `y = Y/Z`; the identity is
/// `(0 : 1 : 0)`. For the constant-time path.
#[derive(Clone, Copy, Debug)]
struct Projective<C: Params> {
    x: Fe<C>,
    y: Fe<C>,
    z: Fe<C>,
}

impl<C: Params> Projective<C> {
    const IDENTITY: Self = Self { x: Fe::ZERO, y: Fe::ONE, z: Fe::ZERO };

    /// `self + p` for an affine `p`, complete for every `self` (Renes–Costello–Batina,
    /// algorithm 2, any `a`).
    #[inline(always)]
    fn add_affine(&self, p: &Affine<C>) -> Self {
        let b3 = &C::B3_M;
        let (x1, y1, z1, x2, y2) = (&self.x, &self.y, &self.z, &p.x, &p.y);
        let t0 = x1.mul(x2);
        let t1 = y1.mul(y2);
        let t3 = x2.add(y2).mul(&x1.add(y1)).sub(&t0.add(&t1));
        let t4 = x2.mul(z1).add(x1);
        let t5 = y2.mul(z1).add(y1);
        let mut z3 = C::mul_a(&t4);
        let mut x3 = b3.mul(z1);
        z3 = x3.add(&z3);
        x3 = t1.sub(&z3);
        z3 = t1.add(&z3);
        let mut y3 = x3.mul(&z3);
        let mut t1 = t0.double().add(&t0);
        let mut t2 = C::mul_a(z1);
        let mut t4 = b3.mul(&t4);
        t1 = t1.add(&t2);
        t2 = C::mul_a(&t0.sub(&t2));
        t4 = t4.add(&t2);
        y3 = y3.add(&t1.mul(&t4));
        x3 = t3.mul(&x3).sub(&t5.mul(&t4));
        z3 = t5.mul(&z3).add(&t3.mul(&t1));
        Self { x: x3, y: y3, z: z3 }
    }

    fn pick(&self, other: &Self, mask: u64) -> Self {
        Self { x: self.x.pick(&other.x, mask), y: self.y.pick(&other.y, mask), z: self.z.pick(&other.z, mask) }
    }

    /// Affine coordinates of the curve (mapped back) in constant time; `None` for the identity.
    fn to_affine(self) -> Option<(Limbs, Limbs)> {
        let inv = self.z.invert();
        if self.z.is_zero_mask() != 0 {
            return None;
        }
        Some(C::map_out(self.x.mul(&inv), self.y.mul(&inv)))
    }
}

/// `k·G` in constant time; `None` when it is the identity (`k ≡ 0 mod q`).
pub(crate) fn mul_base<C: Params>(k: &Limbs) -> Option<(Limbs, Limbs)> {
    let table = C::table();
    let mut acc = Projective::<C>::IDENTITY;
    for (i, d) in radix(k).into_iter().enumerate() {
        let entry = table.pick(i, d);
        let sum = acc.add_affine(&entry);
        // Keep the sum unless d = 0 (all ones when d ≠ 0).
        let nonzero = ((d | d.wrapping_neg()) >> 31) as u64;
        acc = acc.pick(&sum, nonzero);
    }
    acc.to_affine()
}

/// A point in Jacobian coordinates, `x = X/Z²`, `y = Y/Z³`, identity when `Z = 0`. For public
/// data only: the formulas branch on their inputs.
#[derive(Clone, Copy, Debug)]
struct Jacobian<C: Params> {
    x: Fe<C>,
    y: Fe<C>,
    z: Fe<C>,
}

impl<C: Params> Jacobian<C> {
    const IDENTITY: Self = Self { x: Fe::ONE, y: Fe::ONE, z: Fe::ZERO };

    fn from_affine(p: &Affine<C>) -> Self {
        Self { x: p.x, y: p.y, z: Fe::ONE }
    }

    fn is_identity(&self) -> bool {
        self.z.is_zero_vartime()
    }

    fn neg(&self) -> Self {
        Self { x: self.x, y: self.y.neg(), z: self.z }
    }

    /// `2·self` (dbl-2001-b for `a = −3`, dbl-2007-bl otherwise).
    fn double(&self) -> Self {
        if self.is_identity() || self.y.is_zero_vartime() {
            return Self::IDENTITY;
        }
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        if C::A_SMALL == -3 {
            let delta = z1.square();
            let gamma = y1.square();
            let beta = x1.mul(&gamma);
            let t = x1.sub(&delta).mul(&x1.add(&delta));
            let alpha = t.double().add(&t);
            let beta4 = beta.double().double();
            let x3 = alpha.square().sub(&beta4.double());
            let z3 = y1.add(z1).square().sub(&gamma).sub(&delta);
            let g2 = gamma.square();
            let y3 = alpha.mul(&beta4.sub(&x3)).sub(&g2.double().double().double());
            Self { x: x3, y: y3, z: z3 }
        } else {
            let xx = x1.square();
            let yy = y1.square();
            let yyyy = yy.square();
            let zz = z1.square();
            let s = x1.add(&yy).square().sub(&xx).sub(&yyyy).double();
            let m = xx.double().add(&xx).add(&C::mul_a(&zz.square()));
            let x3 = m.square().sub(&s.double());
            let y3 = m.mul(&s.sub(&x3)).sub(&yyyy.double().double().double());
            let z3 = y1.add(z1).square().sub(&yy).sub(&zz);
            Self { x: x3, y: y3, z: z3 }
        }
    }

    /// `self + p` (add-2007-bl), any inputs.
    fn add(&self, p: &Self) -> Self {
        if self.is_identity() {
            return *p;
        }
        if p.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = p.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = p.x.mul(&z1z1);
        let s1 = self.y.mul(&p.z).mul(&z2z2);
        let s2 = p.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1).double();
        if h.is_zero_vartime() {
            return if r.is_zero_vartime() { self.double() } else { Self::IDENTITY };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&p.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        Self { x: x3, y: y3, z: z3 }
    }

    /// `self + p` for an affine `p` (madd-2007-bl).
    fn add_affine(&self, p: &Affine<C>) -> Self {
        if self.is_identity() {
            return Self::from_affine(p);
        }
        let z1z1 = self.z.square();
        let u2 = p.x.mul(&z1z1);
        let s2 = p.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y).double();
        if h.is_zero_vartime() {
            return if r.is_zero_vartime() { self.double() } else { Self::IDENTITY };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double());
        let z3 = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        Self { x: x3, y: y3, z: z3 }
    }

    /// `self` and `2¹²⁸·self`, for checks over halves of the scalars.
    fn and_high_half(self) -> [Self; 2] {
        let mut high = self;
        for _ in 0..128 {
            high = high.double();
        }
        [self, high]
    }

    /// Appends `self, 3·self, 5·self, …, (2n − 1)·self` to `out` (the odd multiples a NAF adds).
    fn push_odd_multiples(self, n: usize, out: &mut Vec<Self>) {
        let twice = self.double();
        let mut multiple = self;
        for _ in 0..n {
            out.push(multiple);
            multiple = multiple.add(&twice);
        }
    }

    /// Every point in affine form with one inversion (Montgomery's trick); none may be the
    /// identity.
    fn normalize_all(points: &[Self]) -> Vec<Affine<C>> {
        let mut prefix = Vec::with_capacity(points.len());
        let mut acc = Fe::<C>::ONE;
        for p in points {
            prefix.push(acc);
            acc = acc.mul(&p.z);
        }
        let mut inv = acc.invert_vartime();
        let mut out = vec![Affine { x: Fe::ZERO, y: Fe::ZERO }; points.len()];
        for (i, p) in points.iter().enumerate().rev() {
            let zinv = inv.mul(&prefix[i]);
            inv = inv.mul(&p.z);
            let z2 = zinv.square();
            out[i] = Affine { x: p.x.mul(&z2), y: p.y.mul(&z2.mul(&zinv)) };
        }
        out
    }

    /// The affine `x` and `y` of the curve (mapped back); `None` for the identity.
    fn to_affine(self) -> Option<(Limbs, Limbs)> {
        if self.is_identity() {
            return None;
        }
        let zinv = self.z.invert_vartime();
        let z2 = zinv.square();
        Some(C::map_out(self.x.mul(&z2), self.y.mul(&z2.mul(&zinv))))
    }
}

/// `k` in width-`W` non-adjacent form, least significant digit first: digits odd in
/// `(−2^(W−1), 2^(W−1))` or zero, at least `W − 1` zeros after each non-zero one.
fn wnaf<const W: u32>(k: &Limbs) -> [i8; 257] {
    let mut out = [0i8; 257];
    // k with one word more, so that adding back a negative digit never overflows.
    let mut v = [k[0], k[1], k[2], k[3], 0u64];
    let mut i = 0;
    while v != [0; 5] && i < out.len() {
        if v[0] & 1 == 1 {
            let mut d = (v[0] & ((1 << W) - 1)) as i64;
            if d > 1 << (W - 1) {
                d -= 1 << W;
            }
            out[i] = d as i8;
            // v −= d.
            if d > 0 {
                let (r, mut borrow) = v[0].overflowing_sub(d as u64);
                v[0] = r;
                for w in v.iter_mut().skip(1) {
                    if !borrow {
                        break;
                    }
                    (*w, borrow) = w.overflowing_sub(1);
                }
            } else {
                let (r, mut carry) = v[0].overflowing_add((-d) as u64);
                v[0] = r;
                for w in v.iter_mut().skip(1) {
                    if !carry {
                        break;
                    }
                    (*w, carry) = w.overflowing_add(1);
                }
            }
        }
        // v >>= 1.
        for w in 0..4 {
            v[w] = (v[w] >> 1) | (v[w + 1] << 63);
        }
        v[4] >>= 1;
        i += 1;
    }
    out
}

/// `k·p` in variable time (public `k` and `p`).
fn mul_vartime<C: Params>(k: &Limbs, p: &Affine<C>) -> Jacobian<C> {
    // p, 3p, 5p, …, 15p for a width-5 NAF.
    let mut odd = Vec::with_capacity(8);
    Jacobian::from_affine(p).push_odd_multiples(8, &mut odd);
    let mut acc = Jacobian::<C>::IDENTITY;
    for &d in wnaf::<5>(k).iter().rev() {
        acc = acc.double();
        if d != 0 {
            let e = odd[(d.unsigned_abs() / 2) as usize];
            acc = acc.add(&if d > 0 { e } else { e.neg() });
        }
    }
    acc
}

/// What verification keeps of a public key `Q` (made once per key): `Q, 3Q, …, 15Q` and the
/// same of `2¹²⁸·Q`, affine, in the field's own form. With them and the base point's table a
/// check takes 128 doublings rather than 256.
#[derive(Clone)]
pub(crate) struct KeyTable(Box<[[Limbs; 2]; 16]>);

impl std::fmt::Debug for KeyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyTable")
    }
}

/// The [`KeyTable`] of the point `(x, y)`, which must lie in the subgroup of order `q` (so no
/// multiple here is the identity).
pub(crate) fn key_table<C: Params>(x: &Limbs, y: &Limbs) -> KeyTable {
    let mut all = Vec::with_capacity(16);
    for start in Jacobian::from_affine(&C::map_in(x, y)).and_high_half() {
        start.push_odd_multiples(8, &mut all);
    }
    let affine = Jacobian::normalize_all(&all);
    let mut out = Box::new([[[0u64; 4]; 2]; 16]);
    for (slot, p) in out.iter_mut().zip(affine) {
        *slot = [p.x.raw(), p.y.raw()];
    }
    KeyTable(out)
}

/// The affine `x` of `z₁·G + z₂·Q`, in variable time (public data); `None` for the identity.
/// Shamir's trick over halves: `zᵢ = lo + hi·2¹²⁸`, four NAFs (`G`'s of width 7 from the curve's
/// table, `Q`'s of width 5 from the key's) share one run of 128 doublings.
pub(crate) fn double_mul_x<C: Params>(z1: &Limbs, z2: &Limbs, key: &KeyTable) -> Option<Limbs> {
    let table = C::table();
    let q: [Affine<C>; 16] =
        std::array::from_fn(|i| Affine { x: Fe::from_raw(&key.0[i][0]), y: Fe::from_raw(&key.0[i][1]) });
    let (q_lo, q_hi) = q.split_at(8);
    let half = |z: &Limbs, hi: bool| if hi { [z[2], z[3], 0, 0] } else { [z[0], z[1], 0, 0] };
    let streams: [([i8; 257], &[Affine<C>]); 4] = [
        (wnaf::<7>(&half(z1, false)), &table.odd[..]),
        (wnaf::<7>(&half(z1, true)), &table.odd_hi[..]),
        (wnaf::<5>(&half(z2, false)), q_lo),
        (wnaf::<5>(&half(z2, true)), q_hi),
    ];
    let mut acc = Jacobian::<C>::IDENTITY;
    for i in (0..=128).rev() {
        acc = acc.double();
        for (digits, odd) in &streams {
            let d = digits[i];
            if d != 0 {
                let mut e = odd[(d.unsigned_abs() / 2) as usize];
                if d < 0 {
                    e.y = e.y.neg();
                }
                acc = acc.add_affine(&e);
            }
        }
    }
    acc.to_affine().map(|(x, _)| x)
}

/// `k·(x, y)` is the identity (public data: whether a key lies in the subgroup of order `q`).
pub(crate) fn mul_is_identity<C: Params>(k: &Limbs, x: &Limbs, y: &Limbs) -> bool {
    mul_vartime(k, &C::map_in(x, y)).is_identity()
}

/// Whether `(x, y)`, both below `p`, satisfies the curve's equation.
pub(crate) fn on_curve<C: Params>(x: &Limbs, y: &Limbs) -> bool {
    let Affine { x: xf, y: yf } = C::map_in(x, y);
    let right = xf.square().mul(&xf).add(&C::mul_a(&xf)).add(&Fe::from_limbs(&C::B));
    yf.square().eq_vartime(&right)
}

/// The comb table of a curve type, made once per process at first use.
macro_rules! table_of {
    ($t:ty) => {
        fn table() -> &'static $crate::gost::point::Table<$t> {
            static TABLE: ::std::sync::OnceLock<$crate::gost::point::Table<$t>> = ::std::sync::OnceLock::new();
            TABLE.get_or_init($crate::gost::point::Table::new)
        }
    };
}
pub(crate) use table_of;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_digits_rebuild_the_scalar() {
        for k in [[0u64; 4], [u64::MAX; 4], [1, 2, 3, 1 << 63], [31, 0, 0, 0], [32, 0, 0, 0], [16, 0, 0, 0]] {
            let digits = radix(&k);
            let half = 1 << (WIDTH - 1);
            assert!(digits.iter().all(|d| (-half..half).contains(d)));
            // Σ dᵢ·2^(WIDTH·i) back, in 320-bit arithmetic.
            let mut acc = crypto_bigint::U320::ZERO;
            for d in digits.iter().rev() {
                acc = acc.shl_vartime(WIDTH as u32);
                let m = crypto_bigint::U320::from_u64(d.unsigned_abs().into());
                acc = if *d < 0 { acc.wrapping_sub(&m) } else { acc.wrapping_add(&m) };
            }
            let want = crypto_bigint::U320::from_words([k[0], k[1], k[2], k[3], 0]);
            assert_eq!(acc, want, "{k:?}");
        }
    }

    #[test]
    fn wnaf_digits_rebuild_the_scalar() {
        for k in [[0u64; 4], [u64::MAX; 4], [1, 2, 3, 1 << 63], [0x1f, 0, 0, 0]] {
            for (digits, w) in [(wnaf::<5>(&k), 5), (wnaf::<7>(&k), 7)] {
                let mut acc = crypto_bigint::U320::ZERO;
                for d in digits.iter().rev() {
                    acc = acc.shl_vartime(1);
                    let m = crypto_bigint::U320::from_u64(d.unsigned_abs().into());
                    acc = if *d < 0 { acc.wrapping_sub(&m) } else { acc.wrapping_add(&m) };
                }
                assert_eq!(acc, crypto_bigint::U320::from_words([k[0], k[1], k[2], k[3], 0]), "{k:?}");
                assert!(digits.iter().all(|d| *d == 0 || (d % 2 != 0 && d.unsigned_abs() < 1 << (w - 1))));
                // W − 1 zeros after each non-zero digit.
                for (i, d) in digits.iter().enumerate() {
                    if *d != 0 {
                        assert!(digits[i + 1..].iter().take(w - 1).all(|e| *e == 0), "{k:?}");
                    }
                }
            }
        }
    }
}
