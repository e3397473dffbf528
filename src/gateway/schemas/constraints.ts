/** ARP v1 `ConstraintEnvelope` (core/constraint_envelope.schema.json): closed limit groups. */
import { z } from "zod";
import { ExtensionsSchema } from "./common.js";

const count = () => z.number().int().min(0);

/** Structural limits on the node tree. */
export const StructuralConstraintsSchema = z.strictObject({
  max_depth: count().optional(),
  max_children_per_composite: count().optional(),
  max_total_nodes_per_run: count().optional(),
  max_decomposition_rounds_per_node: count().optional(),
});
export type StructuralConstraints = z.infer<typeof StructuralConstraintsSchema>;

/** Candidate-selection limits. */
export const CandidateConstraintsSchema = z.strictObject({
  max_candidates_per_subtask: z.number().int().min(1).optional(),
  allowed_node_type_ids: z.array(z.string()).optional(),
  denied_node_type_ids: z.array(z.string()).optional(),
});
export type CandidateConstraints = z.infer<typeof CandidateConstraintsSchema>;

/** Resource budgets; `max_cost` is a plain non-negative number in the spec. */
export const BudgetConstraintsSchema = z.strictObject({
  max_wall_time_ms: count().optional(),
  max_steps: count().optional(),
  max_external_calls: count().optional(),
  max_cost: z.number().min(0).optional(),
});
export type BudgetConstraints = z.infer<typeof BudgetConstraintsSchema>;

/** ARP `SideEffectClass`. */
export const SIDE_EFFECT_CLASSES = ["read", "write", "irreversible"] as const;
export const SideEffectClassSchema = z.enum(SIDE_EFFECT_CLASSES);
export type SideEffectClass = z.infer<typeof SideEffectClassSchema>;

/** Approval and side-effect gates. */
export const GateConstraintsSchema = z.strictObject({
  side_effect_class: SideEffectClassSchema.optional(),
  require_approval: z.boolean().optional(),
});
export type GateConstraints = z.infer<typeof GateConstraintsSchema>;

/** ARP `ConstraintEnvelope`: every group optional, every group closed. */
export const ConstraintEnvelopeSchema = z.strictObject({
  structural: StructuralConstraintsSchema.optional(),
  candidates: CandidateConstraintsSchema.optional(),
  budgets: BudgetConstraintsSchema.optional(),
  gates: GateConstraintsSchema.optional(),
  extensions: ExtensionsSchema.optional(),
});
export type ConstraintEnvelope = z.infer<typeof ConstraintEnvelopeSchema>;
