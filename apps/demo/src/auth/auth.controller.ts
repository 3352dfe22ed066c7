import { Body, Controller, HttpCode, HttpStatus, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { TokenRequestDto } from './token-request.dto';
import { TokenService } from './token.service';

@Controller('auth')
@UsePipes(new ValidationPipe({ whitelist: true }))
export class AuthController {
  constructor(private readonly tokens: TokenService) {}

  @Post('token')
  @HttpCode(HttpStatus.OK)
  async token(@Body() { user }: TokenRequestDto): Promise<{ token: string }> {
    return { token: await this.tokens.issue(user) };
  }
}
