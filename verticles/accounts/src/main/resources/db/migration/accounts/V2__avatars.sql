-- A user's avatar, as the URL uploads serves it at (uploads owns the image); null: initials are shown.
ALTER TABLE users ADD COLUMN avatar_url text;
