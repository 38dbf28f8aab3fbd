// family: contract
// One of the mock IOMMU's contract checks left out: the check no longer
// reports the caller's mistake.
@r@
expression list ES;
identifier report = {mock_violation, mock_pasid_violation};
position p : script:python() { pick(p) };
@@
- report@p(ES);
