// An action started from the UI whose failure is shown beside the control that started it.
import { useState } from 'react';
import { errorText } from './context.js';

/** The last action's error (null once one succeeds), and `run`: clears it, awaits the action, records a failure. */
export function useAction() {
  const [error, setError] = useState<string | null>(null);
  async function run(action: () => Promise<unknown>) {
    try {
      setError(null);
      await action();
    } catch (err) {
      setError(errorText(err));
    }
  }
  return { error, run };
}
