// family: pinning
// A range is pinned twice: the second pin's result replaces the first's,
// and the first is never released.
@r@
identifier fn =~ "^(pages_pin_span|pages_pin_batch|ioasim_space_pin|access_pin_piece|ioasim_pages_add_user)$";
expression X;
expression list ES;
position p : script:python() { pick(p) };
@@
  X = fn@p(ES);
+ X = fn(ES);
