# Installs Migrant Desk from this folder, which is laid out as `fyne
# package` lays out a Linux package:
#
#   make user-install     into ~/.local (no root needed)
#   make user-uninstall
#   sudo make install     into /usr/local (PREFIX=/usr for /usr)
#   sudo make uninstall

PREFIX ?= /usr/local
AppID := @ID@
Icon := $(AppID).png
# migrantdeskctl hands every command but search and version to
# migrantdeskctl-full, which it finds beside itself.
Programs := migrantdesk migrantdeskctl migrantdeskctl-full
User := $(DESTDIR)$(HOME)/.local

default:
	@echo 'Run "make user-install" to install in ~/.local, or "sudo make install" for every user.'

install:
	install -Dm00644 usr/local/share/applications/$(AppID).desktop "$(DESTDIR)$(PREFIX)/share/applications/$(AppID).desktop"
	for p in $(Programs); do install -Dm00755 usr/local/bin/$$p "$(DESTDIR)$(PREFIX)/bin/$$p"; done
	install -Dm00644 usr/local/share/pixmaps/$(Icon) "$(DESTDIR)$(PREFIX)/share/pixmaps/$(Icon)"

uninstall:
	-rm "$(DESTDIR)$(PREFIX)/share/applications/$(AppID).desktop"
	-for p in $(Programs); do rm "$(DESTDIR)$(PREFIX)/bin/$$p"; done
	-rm "$(DESTDIR)$(PREFIX)/share/pixmaps/$(Icon)"

# ~/.local/bin is not on every desktop session's PATH, so the menu entry
# names the program by its full path.
user-install:
	install -Dm00644 usr/local/share/applications/$(AppID).desktop "$(User)/share/applications/$(AppID).desktop"
	for p in $(Programs); do install -Dm00755 usr/local/bin/$$p "$(User)/bin/$$p"; done
	install -Dm00644 usr/local/share/pixmaps/$(Icon) "$(User)/share/icons/$(Icon)"
	sed -i -e 's|^Exec=migrantdesk$$|Exec="$(HOME)/.local/bin/migrantdesk"|' "$(User)/share/applications/$(AppID).desktop"

user-uninstall:
	-rm "$(User)/share/applications/$(AppID).desktop"
	-for p in $(Programs); do rm "$(User)/bin/$$p"; done
	-rm "$(User)/share/icons/$(Icon)"

.PHONY: default install uninstall user-install user-uninstall
