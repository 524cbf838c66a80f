-- zhaoshang schema, part 4: the project team (项目团队): 首谈人 first_contact, 跟进人 follower,
-- 包抓领导 leader, 服务专员 service. A member is a user (user_id) or an official without an
-- account (user_id NULL); name is always kept (a user's display name when added). unit_id is
-- the project's unit, for scope. One person holds a role on a project once: the same user, or
-- for members without an account the same name (the store also refuses a name repeating a
-- user's in the role).

CREATE TABLE project_team (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    role TEXT NOT NULL CHECK (role IN ('first_contact', 'follower', 'leader', 'service')),
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    title TEXT,
    phone TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX project_team_project ON project_team(project_id);
CREATE INDEX project_team_user ON project_team(user_id);
CREATE UNIQUE INDEX project_team_role_user ON project_team(project_id, role, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX project_team_role_name ON project_team(project_id, role, name) WHERE user_id IS NULL;
