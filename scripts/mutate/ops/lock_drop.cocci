// family: locking
// A lock/unlock pair removed: the section runs unprotected.
@r@
expression E;
identifier lock =~ "^(mutex_lock|down_write|down_read|xa_lock|spin_lock)$";
identifier unlock =~ "^(mutex_unlock|up_write|up_read|xa_unlock|spin_unlock)$";
position p : script:python() { pick(p) };
@@
- lock@p(E);
  ...
- unlock(E);
