//! The parameter sets of ГОСТ Р 34.10-2012 (256-bit), each a curve in short Weierstrass form.
//! The arithmetic is in [`super::point`] and [`super::field`], specialised per set at compile
//! time; a [`Curve`] names a set and dispatches to it. The simple constant-time ladder on
//! `crypto-bigint` that came first is kept in the tests as the reference the fast paths are
//! held to (issue 20).

use super::field::{Limbs, Prime, hex};
use super::point::{self, KeyTable, Params, table_of};
use crypto_bigint::modular::FixedMontyParams;
use crypto_bigint::{NonZero, Odd, U256};

/// A parameter set: `y² = x³ + a·x + b (mod p)`, base point `(x, y)` of prime order `q`.
#[derive(Debug)]
pub struct Curve {
    /// The parameter set's name (as openssl's gost engine names it, where it has one).
    pub name: &'static str,
    /// The parameter set's object identifier.
    pub oid: &'static str,
    /// The index in [`SETS`], which picks the specialised arithmetic.
    set: usize,
    pub(crate) p: U256,
    pub(crate) q: NonZero<U256>,
    pub(crate) q_params: FixedMontyParams<{ U256::LIMBS }>,
}

/// The hex parameters of a set, big-endian: p, a, b, q, x, y.
struct Hex {
    name: &'static str,
    oid: &'static str,
    p: &'static str,
    a: &'static str,
    b: &'static str,
    q: &'static str,
    x: &'static str,
    y: &'static str,
}

const SETS: [Hex; 5] = [
    // ГОСТ Р 34.10-2012, appendix A.1: the standard's own worked example (not for real keys).
    Hex {
        name: "test",
        oid: "1.2.643.7.1.2.1.1.0",
        p: "8000000000000000000000000000000000000000000000000000000000000431",
        a: "0000000000000000000000000000000000000000000000000000000000000007",
        b: "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
        q: "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
        x: "0000000000000000000000000000000000000000000000000000000000000002",
        y: "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
    },
    // id-tc26-gost-3410-2012-256-paramSetA (RFC 7836): a twisted Edwards curve with cofactor 4,
    // here in its Weierstrass form.
    Hex {
        name: "TCA",
        oid: "1.2.643.7.1.2.1.1.1",
        p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
        a: "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
        b: "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
        q: "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
        x: "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
        y: "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
    },
    // id-GostR3410-2001-CryptoPro-A-ParamSet (RFC 4357; = tc26 256 paramSetB).
    Hex {
        name: "A",
        oid: "1.2.643.2.2.35.1",
        p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
        a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
        b: "00000000000000000000000000000000000000000000000000000000000000A6",
        q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
        x: "0000000000000000000000000000000000000000000000000000000000000001",
        y: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
    },
    // id-GostR3410-2001-CryptoPro-B-ParamSet (= tc26 256 paramSetC).
    Hex {
        name: "B",
        oid: "1.2.643.2.2.35.2",
        p: "8000000000000000000000000000000000000000000000000000000000000C99",
        a: "8000000000000000000000000000000000000000000000000000000000000C96",
        b: "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
        q: "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
        x: "0000000000000000000000000000000000000000000000000000000000000001",
        y: "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
    },
    // id-GostR3410-2001-CryptoPro-C-ParamSet (= tc26 256 paramSetD).
    Hex {
        name: "C",
        oid: "1.2.643.2.2.35.3",
        p: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
        a: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
        b: "000000000000000000000000000000000000000000000000000000000000805A",
        q: "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
        x: "0000000000000000000000000000000000000000000000000000000000000000",
        y: "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
    },
];

/// A type per parameter set, for the specialised arithmetic.
macro_rules! parameter_set {
    ($t:ident, $i:expr) => {
        #[derive(Clone, Copy, Debug)]
        pub(crate) struct $t;
        impl Prime for $t {
            const P: Limbs = hex(SETS[$i].p);
        }
        impl Params for $t {
            const A: Limbs = hex(SETS[$i].a);
            const B: Limbs = hex(SETS[$i].b);
            const GX: Limbs = hex(SETS[$i].x);
            const GY: Limbs = hex(SETS[$i].y);
            table_of!($t);
        }
    };
}
parameter_set!(Test, 0);

/// tc26 A runs on the isomorphic curve with `a = 3` (`u⁴ = 3/a`; `3/a` is a square and so, as
/// `p ≡ 3 mod 4`, a fourth power); `b·u⁶` and the base point `(u²·x, u³·y)` with it. Computed
/// with Python's integers and checked by the tests against the original curve.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tca;
impl Prime for Tca {
    const P: Limbs = hex(SETS[1].p);
}
impl Params for Tca {
    const A: Limbs = [3, 0, 0, 0];
    const B: Limbs = hex("B1D222588E4B99801517305C9190A6907A20D63F5AF79C3D39817EB9220AA309");
    const GX: Limbs = hex("DF4D814DF6DC3918B6A0A7ACED2EA38765ADAF33DDDCEA5104C1D1264F6C560A");
    const GY: Limbs = hex("CE382D01B0C68C96EE67972F921D7A9E471B2A7E64CE2705C1E177A04ACE1DBD");
    const MAP: Option<[Limbs; 4]> = Some([
        hex("E5216F60CA954B98C9971B27F11FBD49AE39B16DE9ADF4E9346174D1BB9D7735"),
        hex("C439BA41769118BE38241A6BB8147D1CA89CA879A546D18A7D1D5F6E189F0543"),
        hex("F677DD3366FDA784A22593DE1C124C8EEA9898495A3FA6415E7A53ECD27BDB96"),
        hex("18F6AB2C5BA95ACBE3EED4D36A3D662D16FA89AF00726B47757D6805277540FE"),
    ]);
    table_of!(Tca);
}
parameter_set!(CryptoProA, 2);
parameter_set!(CryptoProB, 3);
parameter_set!(CryptoProC, 4);

/// Calls `point::$f::<Set>(args)` for the curve's set.
macro_rules! dispatch {
    ($curve:expr, $f:ident($($arg:expr),*)) => {
        match $curve.set {
            0 => point::$f::<Test>($($arg),*),
            1 => point::$f::<Tca>($($arg),*),
            2 => point::$f::<CryptoProA>($($arg),*),
            3 => point::$f::<CryptoProB>($($arg),*),
            _ => point::$f::<CryptoProC>($($arg),*),
        }
    };
}

fn odd(hex: &str) -> Option<Odd<U256>> {
    Odd::new(U256::from_be_hex(hex)).into_option()
}

impl Curve {
    fn build(set: usize) -> Option<Self> {
        let h = SETS.get(set)?;
        let q_odd = odd(h.q)?;
        let q = NonZero::new(*q_odd.as_ref()).into_option()?;
        Some(Self {
            name: h.name,
            oid: h.oid,
            set,
            p: U256::from_be_hex(h.p),
            q,
            q_params: FixedMontyParams::new_vartime(q_odd),
        })
    }

    /// Every parameter set this implementation knows, the standard's example first.
    pub fn all() -> Vec<Curve> {
        (0..SETS.len()).filter_map(Self::build).collect()
    }

    /// The parameter set with this name (`TCA`, `A`, `B`, `C`, `test`) or object identifier,
    /// including the identifiers that name the same curves again (tc26 256 B/C/D, CryptoPro
    /// XchA/XchB).
    pub fn named(name_or_oid: &str) -> Option<Curve> {
        let wanted = match name_or_oid {
            "1.2.643.7.1.2.1.1.2" | "1.2.643.2.2.36.0" => "A",
            "1.2.643.7.1.2.1.1.3" => "B",
            "1.2.643.7.1.2.1.1.4" | "1.2.643.2.2.36.1" => "C",
            other => other,
        };
        SETS.iter().position(|h| h.name == wanted || h.oid == wanted).and_then(Self::build)
    }

    /// `k·G` in affine coordinates, in constant time with respect to `k`; `None` when it is the
    /// point at infinity (`k ≡ 0 mod q`).
    pub(crate) fn mul_base(&self, k: &U256) -> Option<(U256, U256)> {
        let (x, y) = dispatch!(self, mul_base(k.as_words()))?;
        Some((U256::from_words(x), U256::from_words(y)))
    }

    /// What verification keeps of the public key `(x, y)`, which must have passed
    /// [`Curve::on_curve`] and [`Curve::in_subgroup`].
    pub(crate) fn key_table(&self, x: &U256, y: &U256) -> KeyTable {
        dispatch!(self, key_table(x.as_words(), y.as_words()))
    }

    /// The affine `x` of `z1·G + z2·Q` for the key `Q` of `key`, in variable time (public data
    /// only); `None` for the point at infinity.
    pub(crate) fn double_mul_x(&self, z1: &U256, z2: &U256, key: &KeyTable) -> Option<U256> {
        dispatch!(self, double_mul_x(z1.as_words(), z2.as_words(), key)).map(U256::from_words)
    }

    /// Whether `(x, y)` is a point of the curve (coordinates below `p`, the equation holds).
    pub(crate) fn on_curve(&self, x: &U256, y: &U256) -> bool {
        x < &self.p && y < &self.p && dispatch!(self, on_curve(x.as_words(), y.as_words()))
    }

    /// Whether the point `(x, y)` of the curve lies in the subgroup of order `q` (`q·P = O`):
    /// tc26 A has cofactor 4, so a point of the curve may lie outside it. A curve whose `q`
    /// exceeds `(p + 1 + 2√p)/2` has cofactor 1 (Hasse's bound), and every point of it is in
    /// the subgroup: no multiplication needed.
    pub(crate) fn in_subgroup(&self, x: &U256, y: &U256) -> bool {
        let half_p_and_more = self.p.shr_vartime(1).wrapping_add(&U256::ONE.shl_vartime(129));
        if self.q.get() > half_p_and_more {
            return true;
        }
        dispatch!(self, mul_is_identity(self.q.as_ref().as_words(), x.as_words(), y.as_words()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::U512;
    use crypto_bigint::ctutils::CtSelect;
    use crypto_bigint::modular::FixedMontyForm;
    use proptest::prelude::*;

    type Fe = FixedMontyForm<{ U256::LIMBS }>;

    /// The reference: the first implementation, on `crypto-bigint`'s Montgomery forms, in
    /// projective coordinates with the complete formulas of Renes, Costello and Batina (2016,
    /// algorithm 1) and a double-and-add-always ladder. Slow and simple.
    struct Ladder {
        p: FixedMontyParams<{ U256::LIMBS }>,
        a: Fe,
        b3: Fe,
        g: (Fe, Fe, Fe),
    }

    type Pt = (Fe, Fe, Fe);

    impl Ladder {
        fn of(c: &Curve) -> Self {
            let h = &SETS[c.set];
            let p = FixedMontyParams::new_vartime(odd(h.p).unwrap());
            let fe = |hex: &str| Fe::new(&U256::from_be_hex(hex), &p);
            let b = fe(h.b);
            Self { p, a: fe(h.a), b3: b.double().add(&b), g: (fe(h.x), fe(h.y), Fe::one(&p)) }
        }

        fn point(&self, x: &U256, y: &U256) -> Pt {
            (Fe::new(x, &self.p), Fe::new(y, &self.p), Fe::one(&self.p))
        }

        fn add(&self, p1: &Pt, p2: &Pt) -> Pt {
            let (a, b3) = (&self.a, &self.b3);
            let ((x1, y1, z1), (x2, y2, z2)) = (p1, p2);
            let t0 = x1.mul(x2);
            let mut t1 = y1.mul(y2);
            let mut t2 = z1.mul(z2);
            let mut t3 = x1.add(y1).mul(&x2.add(y2));
            let mut t4 = t0.add(&t1);
            t3 = t3.sub(&t4);
            t4 = x1.add(z1).mul(&x2.add(z2));
            let mut t5 = t0.add(&t2);
            t4 = t4.sub(&t5);
            t5 = y1.add(z1).mul(&y2.add(z2));
            let mut x3 = t1.add(&t2);
            t5 = t5.sub(&x3);
            let mut z3 = a.mul(&t4);
            x3 = b3.mul(&t2);
            z3 = x3.add(&z3);
            x3 = t1.sub(&z3);
            z3 = t1.add(&z3);
            let mut y3 = x3.mul(&z3);
            t1 = t0.add(&t0).add(&t0);
            t2 = a.mul(&t2);
            t4 = b3.mul(&t4);
            t1 = t1.add(&t2);
            t2 = a.mul(&t0.sub(&t2));
            t4 = t4.add(&t2);
            y3 = y3.add(&t1.mul(&t4));
            x3 = t3.mul(&x3).sub(&t5.mul(&t4));
            z3 = t5.mul(&z3).add(&t3.mul(&t1));
            (x3, y3, z3)
        }

        fn mul(&self, k: &U256, point: &Pt) -> Pt {
            let mut acc = (Fe::zero(&self.p), Fe::one(&self.p), Fe::zero(&self.p));
            for i in (0..U256::BITS).rev() {
                acc = self.add(&acc, &acc);
                let with = self.add(&acc, point);
                acc = (
                    acc.0.ct_select(&with.0, k.bit(i)),
                    acc.1.ct_select(&with.1, k.bit(i)),
                    acc.2.ct_select(&with.2, k.bit(i)),
                );
            }
            acc
        }

        fn affine(&self, p: &Pt) -> Option<(U256, U256)> {
            let inv = p.2.invert().into_option()?;
            Some((p.0.mul(&inv).retrieve(), p.1.mul(&inv).retrieve()))
        }
    }

    fn scalar(c: &Curve, bytes: &[u8; 64]) -> U256 {
        let q = NonZero::new(c.q.get().resize::<{ U512::LIMBS }>()).unwrap();
        U512::from_be_slice(bytes).rem(&q).resize()
    }

    /// The base point's coordinates.
    fn g(c: &Curve) -> (U256, U256) {
        (U256::from_be_hex(SETS[c.set].x), U256::from_be_hex(SETS[c.set].y))
    }

    #[test]
    fn every_base_point_is_on_its_curve_and_of_order_q() {
        let all = Curve::all();
        assert_eq!(all.len(), SETS.len(), "every set builds");
        for c in &all {
            let (gx, gy) = g(c);
            assert!(c.on_curve(&gx, &gy), "{}: the base point is on the curve", c.name);
            assert!(!c.on_curve(&gx, &gy.wrapping_add(&U256::ONE)), "{}: off the curve", c.name);
            let q = c.q.get();
            assert!(c.in_subgroup(&gx, &gy), "{}: q·G = O", c.name);
            assert!(
                dispatch!(c, mul_is_identity(c.q.as_ref().as_words(), gx.as_words(), gy.as_words())),
                "{}: q·G = O by multiplying, also where the cofactor is 1",
                c.name
            );
            assert_eq!(c.name == "TCA", c.q.get() < c.p.shr_vartime(1), "{}: only tc26 A has a cofactor", c.name);
            assert_eq!(c.mul_base(&q), None, "{}: q·G = O, in constant time", c.name);
            let (x, y) = c.mul_base(&q.wrapping_sub(&U256::ONE)).unwrap();
            assert_eq!((x, y), (gx, c.p.wrapping_sub(&gy)), "{}: (q-1)·G = -G", c.name);
            assert_eq!(c.mul_base(&U256::ONE), Some((gx, gy)), "{}: 1·G = G", c.name);
            let g_key = c.key_table(&gx, &gy);
            assert_eq!(c.double_mul_x(&U256::ONE, &q.wrapping_sub(&U256::ONE), &g_key), None, "G − G = O");
            let reference = Ladder::of(c);
            assert!(reference.affine(&reference.mul(&q, &reference.g)).is_none(), "{}: the ladder agrees", c.name);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// The fast paths against the simple ladder, on every parameter set: `k·G` (the comb),
        /// `z1·G + z2·Q` (comb and NAF), and a key's subgroup check.
        #[test]
        fn the_fast_paths_agree_with_the_ladder(k in any::<[u8; 64]>(), z1 in any::<[u8; 64]>(), z2 in any::<[u8; 64]>()) {
            for c in Curve::all() {
                let reference = Ladder::of(&c);
                let (k, z1, z2) = (scalar(&c, &k), scalar(&c, &z1), scalar(&c, &z2));
                let fast = c.mul_base(&k);
                prop_assert_eq!(fast, reference.affine(&reference.mul(&k, &reference.g)), "{}: k·G", c.name);
                let Some((qx, qy)) = fast else { continue };
                prop_assert!(c.on_curve(&qx, &qy) && c.in_subgroup(&qx, &qy));
                let q = reference.point(&qx, &qy);
                let want = reference.affine(&reference.add(&reference.mul(&z1, &reference.g), &reference.mul(&z2, &q)));
                prop_assert_eq!(c.double_mul_x(&z1, &z2, &c.key_table(&qx, &qy)), want.map(|(x, _)| x), "{}: z1·G + z2·Q", c.name);
            }
        }
    }

    #[test]
    fn edge_scalars_agree_with_the_ladder() {
        for c in Curve::all() {
            let (gx, gy) = g(&c);
            let reference = Ladder::of(&c);
            let q = c.q.get();
            let top = U256::ONE.shl_vartime(255);
            for k in [
                U256::ONE,
                U256::from_u8(2),
                U256::from_u8(16),
                U256::from_u8(17),
                U256::from_u8(31),
                U256::from_u8(32),
                q.wrapping_sub(&U256::from_u8(2)),
                top,
                q.shr_vartime(1),
            ] {
                let k = k.rem(&c.q);
                assert_eq!(c.mul_base(&k), reference.affine(&reference.mul(&k, &reference.g)), "{}", c.name);
            }
            // z1·G + z2·G where the sum is a doubling inside the addition.
            let x = c.double_mul_x(&U256::ONE, &U256::ONE, &c.key_table(&gx, &gy));
            let want = reference.affine(&reference.mul(&U256::from_u8(2), &reference.g)).map(|(x, _)| x);
            assert_eq!(x, want, "{}: G + G", c.name);
        }
    }
}
