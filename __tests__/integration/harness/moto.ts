import { resetMoto as resetMotoAt } from '../../../scripts/lib/moto.mjs';

/** The moto server started by the global setup (jest passes its endpoint to the workers through the environment). */
export function motoEndpoint(): string {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'MOTO_ENDPOINT is not set: run the integration tests through jest (its global setup starts moto).',
    );
  return endpoint;
}

/** Clears all of moto's state, so each test starts from empty accounts. */
export function resetMoto(): Promise<void> {
  return resetMotoAt(motoEndpoint());
}
