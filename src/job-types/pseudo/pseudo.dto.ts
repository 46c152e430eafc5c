import { Until } from '../../common/until';
import { UntilDateParam, UntilParam } from '../../common/until-params';

/** Params of a pseudo job (jobs.md); `store` and the schedule are the engine's. */
export class PseudoParams {
  @UntilParam('Pseudonymizes statements stored at or before the run start minus this period.')
  until: Until;

  @UntilDateParam()
  until_date?: string | null;
}
