//! The integration tests of sep-core, one binary: each file is a module.

mod stdnum_oracle;
