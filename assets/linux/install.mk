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
# The read-me, the operations guide and the licences of what the programs
# link, which must go where the programs go.
Docs := README.txt README-operations.md THIRD-PARTY-NOTICES.txt
DocDir := share/doc/migrant-desk

default:
	@echo 'Run "make user-install" to install in ~/.local, or "sudo make install" for every user.'

install:
	install -Dm00644 usr/local/share/applications/$(AppID).desktop "$(DESTDIR)$(PREFIX)/share/applications/$(AppID).desktop"
	for p in $(Programs); do install -Dm00755 usr/local/bin/$$p "$(DESTDIR)$(PREFIX)/bin/$$p"; done
	install -Dm00644 usr/local/share/pixmaps/$(Icon) "$(DESTDIR)$(PREFIX)/share/pixmaps/$(Icon)"
	for d in $(Docs); do install -Dm00644 $$d "$(DESTDIR)$(PREFIX)/$(DocDir)/$$d"; done

uninstall:
	-rm "$(DESTDIR)$(PREFIX)/share/applications/$(AppID).desktop"
	-for p in $(Programs); do rm "$(DESTDIR)$(PREFIX)/bin/$$p"; done
	-rm "$(DESTDIR)$(PREFIX)/share/pixmaps/$(Icon)"
	-for d in $(Docs); do rm "$(DESTDIR)$(PREFIX)/$(DocDir)/$$d"; done
	-rmdir "$(DESTDIR)$(PREFIX)/$(DocDir)"

# ~/.local/bin is not on every desktop session's PATH, so the menu entry
# names the program by its full path.
user-install:
	install -Dm00644 usr/local/share/applications/$(AppID).desktop "$(User)/share/applications/$(AppID).desktop"
	for p in $(Programs); do install -Dm00755 usr/local/bin/$$p "$(User)/bin/$$p"; done
	install -Dm00644 usr/local/share/pixmaps/$(Icon) "$(User)/share/icons/$(Icon)"
	for d in $(Docs); do install -Dm00644 $$d "$(User)/$(DocDir)/$$d"; done
	sed -i -e 's|^Exec=migrantdesk$$|Exec="$(HOME)/.local/bin/migrantdesk"|' "$(User)/share/applications/$(AppID).desktop"

user-uninstall:
	-rm "$(User)/share/applications/$(AppID).desktop"
	-for p in $(Programs); do rm "$(User)/bin/$$p"; done
	-rm "$(User)/share/icons/$(Icon)"
	-for d in $(Docs); do rm "$(User)/$(DocDir)/$$d"; done
	-rmdir "$(User)/$(DocDir)"

.PHONY: default install uninstall user-install user-uninstall
