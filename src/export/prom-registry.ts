// prom-client registries for both the report's metrics and the agent's own: a module of its own so that the
// two exposition modules depend on it rather than on each other.
import { Registry, type RegistryContentType } from 'prom-client';

export type AnyRegistry = Registry<RegistryContentType>;

/** prom-client's typings omit the constructor's content type argument, which the runtime takes. */
export const newRegistry = (contentType: RegistryContentType): AnyRegistry =>
  new (Registry as unknown as new (contentType: RegistryContentType) => AnyRegistry)(contentType);
