import { IsUserName } from '../common/name.validators';

export class TokenRequestDto {
  @IsUserName()
  user: string;
}
