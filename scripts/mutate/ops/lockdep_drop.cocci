// family: locking
// A lockdep_assert_held() removed: a caller without the lock would go
// unnoticed.
@r@
expression E;
position p : script:python() { pick(p) };
@@
- lockdep_assert_held@p(E);
