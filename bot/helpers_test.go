package bot_test

import (
	"errors"

	"github.com/referralbot/referralbot/bot"
)

func asBotError(err error, target **bot.Error) bool { return errors.As(err, target) }
