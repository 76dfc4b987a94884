// Table printer for scheduling.k8s.io/v1, with kubectl's columns
// (pkg/printers/internalversion/printers.go: printPriorityClass).
import type { PriorityClass } from 'kubernetes-types/scheduling/v1';
import { column, printer, NAME_COLUMN, AGE_COLUMN, objectName as name, objectAge as age, type TablePrinter } from './format.js';

export const priorityClassPrinter = printer<PriorityClass>(
  [
    NAME_COLUMN,
    column('Value', 'integer', 'value represents the integer value of this priority class.'),
    column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    AGE_COLUMN,
    column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  (o, now) => [name(o), o.value, o.globalDefault ?? false, age(o, now), o.preemptionPolicy ?? '<unset>'],
);

export const schedulingPrinters: Record<string, TablePrinter> = {
  'scheduling.k8s.io/priorityclasses': priorityClassPrinter,
};
