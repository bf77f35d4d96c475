"""An independent check of an e-passport's QR code (ES256) with PyPI's cbor2, base45 and
cryptography — nothing from СЭП's code. Usage: passport_check.py CODE TRUST_LIST ANNULMENTS
ROOT_SHA256. Prints one JSON object: what was checked and what the code says."""
import hashlib, json, sys, uuid, zlib

import base45, cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def es256(key, message, sig):
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    key.verify(der, message, ec.ECDSA(hashes.SHA256()))


def untag(value, tag):
    return value.value if isinstance(value, cbor2.CBORTag) and value.tag == tag else value


def open_list(raw, root):
    body_prot, _, payload, signatures = untag(cbor2.loads(raw), 98)
    checked = 0
    for sprot, _, sig in signatures:
        header = cbor2.loads(sprot)
        if header.get(1) == -7 and header.get(4) == hashlib.sha256(root.public_bytes(Encoding.DER)).digest()[:8]:
            es256(root.public_key(), cbor2.dumps(["Signature", body_prot, sprot, b"", payload]), sig)
            checked += 1
    assert checked == 1, "no ES256 signature by the pinned root"
    return cbor2.loads(payload)


code, trust_path, annul_path, pin = sys.argv[1:5]
trust_raw = open(trust_path, "rb").read()
trust_payload = cbor2.loads(untag(cbor2.loads(trust_raw), 98)[2])
root_der = next(r for r in trust_payload["roots"] if hashlib.sha256(r).hexdigest() == pin)
root = x509.load_der_x509_certificate(root_der)
trust = open_list(trust_raw, root)
annulments = open_list(open(annul_path, "rb").read(), root)

assert code.startswith("SEP1:")
prot, _, payload, sig = untag(cbor2.loads(zlib.decompress(base45.b45decode(code[5:]))), 18)
header = cbor2.loads(prot)
assert header[1] == -7, header
signer = next(s for s in trust["signers"] if s["kid"] == header[4])
cert = x509.load_der_x509_certificate(signer["cert"])
cert.verify_directly_issued_by(root)
assert hashlib.sha256(signer["cert"]).digest()[:8] == header[4]
es256(cert.public_key(), cbor2.dumps(["Signature1", prot, b"", payload]), sig)
claims = cbor2.loads(payload)
data = claims[-65537]
record = uuid.UUID(bytes=data[1])
annulled = hashlib.sha256(b"sep-passport-annulled:" + record.bytes).digest() in annulments["annulled"]
print(json.dumps({
    "signature": "valid", "chain": "valid", "iss": claims[1], "exp": claims[4], "iat": claims[6],
    "record": str(record), "number": data[2], "last_name": data[3], "given_names": data[4],
    "birth_date": data[5], "citizenship": data[6], "issuer": data[7],
    "annulled": annulled, "list_iat": annulments["iat"],
}, ensure_ascii=False))
