/** The README's "yours": the gateway's message body (a class-validator DTO in a real app). */
export class ShoutDto {
  room!: string;
  text!: string;
}
