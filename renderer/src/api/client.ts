import type { BacklineBridge } from '../../../shared/bridge.js';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.js';
import { isEventName } from '../../../shared/contract/index.js';
import { BacklineError } from '../../../shared/errors.js';

/** The renderer's typed view of the contract, over whichever bridge the shell provides. */
export interface BacklineClient {
  invoke<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function createClient(bridge: BacklineBridge): BacklineClient {
  return {
    async invoke(method, input) {
      const result = await bridge.invoke(method, input);
      if (!result.ok) throw BacklineError.fromWire(result.error);
      // The main side validated this against the contract's output schema before sending it.
      return result.value as MethodOutput<typeof method>;
    },
    on(event, listener) {
      return bridge.subscribe((name, payload) => {
        if (isEventName(name) && name === event) listener(payload as EventPayload<typeof event>);
      });
    },
  };
}
