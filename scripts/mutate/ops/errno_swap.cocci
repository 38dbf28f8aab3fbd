// family: errors
// An errno a function returns or stores replaced by another: the answer
// userspace gets changes (EINVAL becomes EOPNOTSUPP, every other one
// EINVAL).
@r@
identifier E =~ "^(EINVAL|EOPNOTSUPP|ENOENT|EOVERFLOW|EBUSY|EFAULT|EEXIST|EADDRINUSE|EDEADLOCK|EMSGSIZE|EPERM|E2BIG|ENODEV|ENOTTY|EBADFD|ERANGE|ENOSPC|EAGAIN)$";
fresh identifier N = script:python(E) { "EOPNOTSUPP" if E == "EINVAL" else "EINVAL" };
expression X;
position p : script:python() { pick(p) };
@@
(
  return -
- E@p
+ N
  ;
|
  X = -
- E@p
+ N
  ;
)
