import { IsRoomName } from '../common/name.validators';

export class RoomParamsDto {
  @IsRoomName()
  name: string;
}
