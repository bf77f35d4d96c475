//! The `sep` binary as an integrator runs it, one test binary: each file is a module.

mod api;
mod ca;
mod demo;
mod passport;
mod verify;
