import { existsSync } from 'node:fs';
import { startMoto } from '../../../scripts/lib/moto.mjs';

export default async function globalSetup() {
  if (!existsSync('dist/index.js')) {
    throw new Error(
      'dist/index.js is missing: run `npm run bundle` first (the integration tests run the bundle).',
    );
  }
  const moto = await startMoto();
  globalThis.__MOTO__ = moto;
  // Workers start after this and inherit the environment.
  process.env.MOTO_ENDPOINT = moto.endpoint;
}
