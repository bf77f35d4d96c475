//! Elliptic curves of ГОСТ Р 34.10-2012 (256-bit) in short Weierstrass form, on
//! `crypto-bigint`'s Montgomery arithmetic. Points are projective and added with the complete
//! formulas of Renes, Costello and Batina (2016, algorithm 1, any `a`): one formula for every
//! pair of points of the prime-order subgroup, the identity included, so a scalar multiplication
//! runs the same steps whatever the secret scalar is.

use crypto_bigint::ctutils::CtSelect;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Choice, NonZero, Odd, U256};

/// An element of the prime field.
pub(crate) type Fe = FixedMontyForm<{ U256::LIMBS }>;

/// A parameter set: `y² = x³ + a·x + b (mod p)`, base point `(x, y)` of prime order `q`.
#[derive(Debug)]
pub struct Curve {
    /// The parameter set's name (as openssl's gost engine names it, where it has one).
    pub name: &'static str,
    /// The parameter set's object identifier.
    pub oid: &'static str,
    pub(crate) p: FixedMontyParams<{ U256::LIMBS }>,
    pub(crate) q: NonZero<U256>,
    pub(crate) q_params: FixedMontyParams<{ U256::LIMBS }>,
    a: Fe,
    b3: Fe,
    pub(crate) gx: U256,
    pub(crate) gy: U256,
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

fn odd(hex: &str) -> Option<Odd<U256>> {
    Odd::new(U256::from_be_hex(hex)).into_option()
}

impl Curve {
    fn build(h: &Hex) -> Option<Self> {
        let p = FixedMontyParams::new_vartime(odd(h.p)?);
        let q_odd = odd(h.q)?;
        let q = NonZero::new(*q_odd.as_ref()).into_option()?;
        let fe = |hex: &str| Fe::new(&U256::from_be_hex(hex), &p);
        let b = fe(h.b);
        Some(Self {
            name: h.name,
            oid: h.oid,
            p,
            q,
            q_params: FixedMontyParams::new_vartime(q_odd),
            a: fe(h.a),
            b3: b.double().add(&b),
            gx: U256::from_be_hex(h.x),
            gy: U256::from_be_hex(h.y),
        })
    }

    /// Every parameter set this implementation knows, the standard's example first.
    pub fn all() -> Vec<Curve> {
        SETS.iter().filter_map(Self::build).collect()
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
        SETS.iter().find(|h| h.name == wanted || h.oid == wanted).and_then(Self::build)
    }

    pub(crate) fn fe(&self, x: &U256) -> Fe {
        Fe::new(x, &self.p)
    }

    /// The base point.
    pub(crate) fn generator(&self) -> Point {
        Point { x: self.fe(&self.gx), y: self.fe(&self.gy), z: Fe::one(&self.p) }
    }

    /// The point at infinity `(0 : 1 : 0)`.
    pub(crate) fn identity(&self) -> Point {
        Point { x: Fe::zero(&self.p), y: Fe::one(&self.p), z: Fe::zero(&self.p) }
    }

    /// `(x, y)` as a point, if it satisfies the curve's equation (public data: variable time).
    pub(crate) fn point(&self, x: &U256, y: &U256) -> Option<Point> {
        let modulus = self.p.modulus().as_ref();
        if x >= modulus || y >= modulus {
            return None;
        }
        let (xf, yf) = (self.fe(x), self.fe(y));
        let b = self.b3.mul(&self.fe(&U256::from_u8(3)).invert_vartime().into_option()?);
        let right = xf.square().mul(&xf).add(&self.a.mul(&xf)).add(&b);
        (yf.square().retrieve() == right.retrieve()).then(|| Point { x: xf, y: yf, z: Fe::one(&self.p) })
    }

    /// `p1 + p2` by the complete formulas (also for `p1 == p2` and the identity).
    pub(crate) fn add(&self, p1: &Point, p2: &Point) -> Point {
        let (a, b3) = (&self.a, &self.b3);
        let (x1, y1, z1, x2, y2, z2) = (&p1.x, &p1.y, &p1.z, &p2.x, &p2.y, &p2.z);
        let t0 = x1.mul(x2);
        let mut t1 = y1.mul(y2);
        let mut t2 = z1.mul(z2);
        let mut t3 = x1.add(y1);
        let mut t4 = x2.add(y2);
        t3 = t3.mul(&t4);
        t4 = t0.add(&t1);
        t3 = t3.sub(&t4);
        t4 = x1.add(z1);
        let mut t5 = x2.add(z2);
        t4 = t4.mul(&t5);
        t5 = t0.add(&t2);
        t4 = t4.sub(&t5);
        t5 = y1.add(z1);
        let mut x3 = y2.add(z2);
        t5 = t5.mul(&x3);
        x3 = t1.add(&t2);
        t5 = t5.sub(&x3);
        let mut z3 = a.mul(&t4);
        x3 = b3.mul(&t2);
        z3 = x3.add(&z3);
        x3 = t1.sub(&z3);
        z3 = t1.add(&z3);
        let mut y3 = x3.mul(&z3);
        t1 = t0.add(&t0);
        t1 = t1.add(&t0);
        t2 = a.mul(&t2);
        t4 = b3.mul(&t4);
        t1 = t1.add(&t2);
        t2 = t0.sub(&t2);
        t2 = a.mul(&t2);
        t4 = t4.add(&t2);
        t2 = t1.mul(&t4);
        y3 = y3.add(&t2);
        t2 = t5.mul(&t4);
        x3 = t3.mul(&x3);
        x3 = x3.sub(&t2);
        t2 = t3.mul(&t1);
        z3 = t5.mul(&z3);
        z3 = z3.add(&t2);
        Point { x: x3, y: y3, z: z3 }
    }

    /// `k·point`, in constant time with respect to `k`: every bit costs one doubling, one
    /// addition and one constant-time selection.
    pub(crate) fn mul(&self, k: &U256, point: &Point) -> Point {
        let mut acc = self.identity();
        for i in (0..U256::BITS).rev() {
            acc = self.add(&acc, &acc);
            let with = self.add(&acc, point);
            acc = acc.ct_select(&with, k.bit(i));
        }
        acc
    }

    /// The affine coordinates; `None` for the identity.
    pub(crate) fn affine(&self, point: &Point) -> Option<(U256, U256)> {
        let inv = point.z.invert().into_option()?;
        Some((point.x.mul(&inv).retrieve(), point.y.mul(&inv).retrieve()))
    }
}

/// A point in projective coordinates `(X : Y : Z)`, `x = X/Z`, `y = Y/Z`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl CtSelect for Point {
    fn ct_select(&self, other: &Self, choice: Choice) -> Self {
        Self {
            x: self.x.ct_select(&other.x, choice),
            y: self.y.ct_select(&other.y, choice),
            z: self.z.ct_select(&other.z, choice),
        }
    }
}

impl Point {
    /// Whether this is the point at infinity `(0 : Y : 0)`. The complete formulas answer
    /// `(0 : 0 : 0)` for the exceptional sums of a cofactor curve's 2-torsion point (tc26 A has
    /// one), which is no point at all — so not the identity either.
    pub(crate) fn is_identity(&self) -> bool {
        self.z.retrieve() == U256::ZERO && self.y.retrieve() != U256::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_base_point_is_on_its_curve_and_of_order_q() {
        let all = Curve::all();
        assert_eq!(all.len(), SETS.len(), "every set builds");
        for c in &all {
            assert!(c.point(&c.gx, &c.gy).is_some(), "{}: the base point is on the curve", c.name);
            let q = c.q.get();
            assert!(c.mul(&q, &c.generator()).is_identity(), "{}: q·G = O", c.name);
            let (x, _) = c.affine(&c.mul(&q.wrapping_sub(&U256::ONE), &c.generator())).unwrap();
            assert_eq!(x, c.gx, "{}: (q-1)·G = -G", c.name);
        }
    }

    #[test]
    fn doubling_and_adding_agree() {
        let c = Curve::named("A").unwrap();
        let g = c.generator();
        let two = c.add(&g, &g);
        let three = c.add(&two, &g);
        assert_eq!(c.affine(&three), c.affine(&c.mul(&U256::from_u8(3), &g)));
        assert_eq!(c.affine(&c.add(&c.identity(), &g)), c.affine(&g), "O + G = G");
        assert!(c.point(&c.gx, &c.gy.wrapping_add(&U256::ONE)).is_none(), "off the curve");
    }
}
