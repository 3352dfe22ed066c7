import { IsUserName } from '../common/name.validators';

export class UserParamsDto {
  @IsUserName()
  user: string;
}
