import Testing

/// Every suite that starts servers runs inside this one, one test at a time: on a 2-core machine, dozens of
/// servers, argon2 hashes and browsers at once make timing-sensitive checks (locks, timeouts) flaky.
@Suite(.serialized)
struct ServerSuites {}
