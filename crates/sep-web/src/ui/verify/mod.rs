//! Public verification of electronic signatures (SPEC E4), without login: a document and its
//! detached signature give a verdict; the trusted authority's certificate is downloadable.

pub(crate) mod page;
