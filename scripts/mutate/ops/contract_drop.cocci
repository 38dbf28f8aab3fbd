// family: contract
// One of the mock IOMMU's contract checks left out: the check no longer
// reports the caller's mistake.
@r@
expression list ES;
position p : script:python() { pick(p) };
@@
- mock_violation@p(ES);
