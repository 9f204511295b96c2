import { it } from 'vitest';
import { VirtualCardBench } from '/work/main/packages/hardware-token/test/helpers/virtual-card.ts';
it('dbg', async () => {
  process.env.SEALPOST_PCSCD_DEBUG = '1';
  console.log('start');
  const bench = await VirtualCardBench.start();
  console.log('started', bench.pcscd.cardPort);
  await bench.insertCard();
  console.log('inserted');
  const t = setTimeout(() => console.log(bench.pcscd.log.join('').slice(-3000)), 8000);
  const card = await bench.open();
  clearTimeout(t);
  console.log('opened', card.applicationData.serial);
  await bench.stop();
}, 30000);
