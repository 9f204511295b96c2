// The MailApi handlers of the security key panel: list, enrol and remove the FIDO2 keys that
// unlock the data folder, through the same Fido2Keys calls as `sealpost key fido2`. Enrolment
// pushes `securitykey:prompt` for each touch and after a wrong PIN, as unlocking does, and a
// failure gets the unlock screen's wording with its code kept.

import type { MailApi, SecurityKeyList } from '@sealpost/ui';
import { PinError } from '@sealpost/hardware-token';
import type { AppSession } from '../app-session.ts';
import type { EventSink } from '../mail-api-handlers.ts';
import { describeFido2Failure } from './fido2-messages.ts';

type SecurityKeyMethods = Pick<
  MailApi,
  'securitykey:list' | 'securitykey:enroll' | 'securitykey:remove'
>;

export function createFido2ApiHandlers(session: AppSession, emit: EventSink): SecurityKeyMethods {
  const list = (): SecurityKeyList => {
    const fido2 = session.require().fido2;
    return { required: fido2.mode() === 'fido2', keys: fido2.list() };
  };

  return {
    'securitykey:list': async () => list(),

    'securitykey:enroll': async ({ name, require, pin }) => {
      const fido2 = session.require().fido2;
      const state = (await session.status()).securityKey;
      const device = session.fido2Device();
      try {
        const result = await fido2.enroll({
          ...(name === null ? {} : { name }),
          require,
          ...device,
          // As in the command line, an empty PIN means that the key has none.
          requestPin: async () => pin,
          onTouchNeeded: () => emit('securitykey:prompt', { prompt: 'touch', retriesLeft: null }),
        });
        return { ...list(), key: result.key, recoveryCode: result.recoveryCode };
      } catch (error) {
        if (error instanceof PinError && error.code === 'FIDO_PIN_INVALID') {
          emit('securitykey:prompt', { prompt: 'pin', retriesLeft: error.retriesLeft });
        }
        throw describeFido2Failure(error, device.timeoutMs, state);
      }
    },

    'securitykey:remove': async ({ name }) => {
      session.require().fido2.remove(name);
      return list();
    },
  };
}
