// family: errors
// An error path's rollback step skipped: the first call after an error
// label is left out.
@r@
identifier L =~ "^(out|err|fail|undo)";
identifier fn;
expression list ES;
position p : script:python() { pick(p) };
@@
L:
- fn@p(ES);
