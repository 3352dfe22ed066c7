import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';

const nameRule = (max: number) => new RegExp(`^[A-Za-z0-9_-]{1,${max}}$`);

// Names end up inside channel names and log lines, so they are kept to a plain charset.
export const USER_NAME = nameRule(32);
export const ROOM_NAME = nameRule(64);

function IsName(rule: RegExp, max: number): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(rule, { message: `$property must be 1 to ${max} letters, digits, "_" or "-"` }),
  );
}

export const IsUserName = (): PropertyDecorator => IsName(USER_NAME, 32);
export const IsRoomName = (): PropertyDecorator => IsName(ROOM_NAME, 64);
