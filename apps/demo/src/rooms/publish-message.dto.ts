import { IsDefined } from 'class-validator';

export class PublishMessageDto {
  /** Any JSON value; it reaches the members as it is. */
  @IsDefined()
  payload: unknown;
}
