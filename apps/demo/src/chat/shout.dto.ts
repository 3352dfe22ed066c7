import { IsString, Length } from 'class-validator';
import { IsRoomName } from '../common/name.validators';

export class ShoutDto {
  @IsRoomName()
  room: string;

  @IsString()
  @Length(1, 500)
  text: string;
}
