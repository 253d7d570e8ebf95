"""Alembic environment: the project calls `data_sources.warehouse.upgrade(engine)`.

The connection is handed over in `config.attributes["connection"]`; from the command line
(`alembic -c migrations/alembic.ini upgrade head`) the URL comes from WAREHOUSE_URL.
"""

from alembic import context
from sqlalchemy import create_engine

from settings import Settings

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    engine = create_engine(Settings.load().warehouse_url)
    with engine.begin() as connection:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    # render_as_batch lets later migrations ALTER tables on SQLite too.
    context.configure(connection=connection, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
