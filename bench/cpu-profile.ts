import { writeFileSync } from 'fs';
import { Session } from 'inspector';

/**
 * A V8 CPU profile of this process between startProfile() and the returned stop(file),
 * for the benchmarks' `--profile` flags (read it with bench/cpuprofile-top.ts).
 */
export function startProfile(): (file: string) => Promise<void> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  const started = post('Profiler.enable')
    .then(() => post('Profiler.setSamplingInterval', { interval: 1000 }))
    .then(() => post('Profiler.start'));
  return async (file) => {
    await started;
    const { profile } = await post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
