export default async function globalTeardown() {
  await globalThis.__MOTO__?.stop();
}
