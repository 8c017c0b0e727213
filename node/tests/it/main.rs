//! Node integration tests: real RocksDB in temp dirs, the HTTP API on loopback, and the
//! end-to-end story driven through the real `heitje-node` and `heitje` binaries.

mod api_input;
mod e2e;
mod evidence;
mod faults;
mod liar;
mod network;
mod restarts;
mod review;
mod shops;
mod storage;
mod support;
