"""``python -m storage.accounts_cli``: accounts from the server's command line.

- ``create-admin``: the first office (Văn phòng) account of a real deployment. The
  app refuses to open a database without an active office account, and a real
  deployment never starts with a known password: the password is typed at the
  prompt (or read from standard input with ``--password-stdin``), never shown.
- ``list``: the accounts (no password hashes).
- ``demo-accounts``: the sample ward's demo accounts (a demo database only).

The database is DATABASE_URL (or the embedded SQLite file), migrated first.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from storage import accounts, db


def _engine(url: str | None):
    engine = db.get_engine(url)
    db.migrate(engine)
    return engine


def cmd_create_admin(args) -> int:
    engine = _engine(args.database)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            print("Hai lần nhập mật khẩu không khớp.", file=sys.stderr)
            return 2
    try:
        aid = accounts.create_account(
            engine,
            args.username,
            args.name,
            accounts.OFFICE,
            password=password,
            email=args.email,
            must_change_password=False,
        )
    except accounts.AccountError as err:
        print(str(err), file=sys.stderr)
        return 2
    print(f"Đã tạo tài khoản Văn phòng «{args.username.strip().lower()}» (mã {aid}).")
    return 0


def cmd_list(args) -> int:
    frame = accounts.list_accounts(_engine(args.database))
    for r in frame.itertuples():
        state = "đang dùng" if r.active else "đã khóa"
        units = f" [{r.units}]" if r.units else ""
        print(f"{r.username}\t{accounts.ROLES[r.role]}{units}\t{r.display_name}\t{state}")
    return 0


def cmd_demo(args) -> int:
    accounts.ensure_demo_accounts(_engine(args.database))
    print("Đã tạo các tài khoản dùng thử của dữ liệu mẫu (chỉ dùng cho bản trình diễn).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m storage.accounts_cli", description="Tài khoản người dùng")
    p.add_argument("--database", default=None, help="địa chỉ cơ sở dữ liệu (mặc định: DATABASE_URL)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("create-admin", help="tạo tài khoản Văn phòng (quản trị) đầu tiên")
    s.add_argument("--username", required=True)
    s.add_argument("--name", required=True, help="họ tên hoặc tên bộ phận")
    s.add_argument("--email", default=None, help="thư điện tử (khi đăng nhập qua nhà cung cấp định danh)")
    s.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn")
    s.set_defaults(func=cmd_create_admin)
    s = sub.add_parser("list", help="liệt kê tài khoản")
    s.set_defaults(func=cmd_list)
    s = sub.add_parser("demo-accounts", help="tạo tài khoản dùng thử (chỉ cho dữ liệu mẫu)")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
