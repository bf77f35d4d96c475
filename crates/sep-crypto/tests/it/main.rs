//! The integration tests of sep-crypto, one binary: each file is a module; `common` runs openssl.

mod common;
mod openssl_cert;
mod openssl_gost;
mod openssl_seal;
