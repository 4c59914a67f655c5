"""Initial schema: the whole domain model of DESIGN.md section 2.

Reviewed by hand: portable types only (DateTime stores naive UTC; enums are
VARCHAR with CHECK constraints, no native PostgreSQL enum types), every constraint
named by the naming convention in crm.models.base, indexes on every foreign key
that lists and detail pages join on.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 15:57:20.369432

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bundeslaender',
    sa.Column('ags', sa.String(length=2), nullable=False),
    sa.Column('iso', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('short', sa.String(length=2), nullable=False),
    sa.PrimaryKeyConstraint('ags', name=op.f('pk_bundeslaender')),
    sa.UniqueConstraint('iso', name=op.f('uq_bundeslaender_iso')),
    sa.UniqueConstraint('name', name=op.f('uq_bundeslaender_name')),
    sa.UniqueConstraint('short', name=op.f('uq_bundeslaender_short'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('type', sa.Enum('netzwerktreffen', 'industrieforum', 'webinar', 'workshop', 'preisverleihung', name='event_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('mode', sa.Enum('online', 'praesenz', 'hybrid', name='event_mode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=True),
    sa.Column('online_url', sa.String(length=300), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registration_opens_at', sa.DateTime(), nullable=True),
    sa.Column('registration_closes_at', sa.DateTime(), nullable=True),
    sa.Column('is_free', sa.Boolean(), nullable=False),
    sa.Column('fee_note', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('entwurf', 'veroeffentlicht', 'anmeldung_geschlossen', 'abgeschlossen', name='event_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_events_capacity')),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_events_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('slug', name=op.f('uq_events_slug'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)

    op.create_table('formats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_formats')),
    sa.UniqueConstraint('name', name=op.f('uq_formats_name'))
    )
    op.create_table('outbox_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('ics', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails'))
    )
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mails_sent_at'), ['sent_at'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('salutation', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=40), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('sort_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('preferred_language', sa.String(length=2), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('lawful_basis', sa.Enum('consent', 'contract', 'legitimate_interest', 'legal_obligation', 'public_task', name='lawful_basis', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('collected_at', sa.DateTime(), nullable=True),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('anonymised_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_sort_name'), ['sort_name'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('name', name=op.f('uq_themes_name'))
    )
    op.create_table('agenda_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('plenum', 'austausch', 'workshops', name='agenda_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_agenda_blocks_period')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_agenda_blocks_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_blocks'))
    )
    with op.batch_alter_table('agenda_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_blocks_event_id'), ['event_id'], unique=False)

    op.create_table('kreise',
    sa.Column('ags', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('land_ags', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['land_ags'], ['bundeslaender.ags'], name=op.f('fk_kreise_land_ags_bundeslaender')),
    sa.PrimaryKeyConstraint('ags', name=op.f('pk_kreise'))
    )
    with op.batch_alter_table('kreise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kreise_land_ags'), ['land_ags'], unique=False)

    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_workshops_capacity')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_workshops_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderator_id'], ['persons.id'], name=op.f('fk_workshops_moderator_id_persons'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops'))
    )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshops_event_id'), ['event_id'], unique=False)

    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sort_name', sa.String(length=200), nullable=False),
    sa.Column('legal_name', sa.String(length=250), nullable=True),
    sa.Column('other_names', sa.Text(), nullable=True),
    sa.Column('type', sa.Enum('unternehmen', 'kommune', 'landkreis', 'land_ministerium', 'ihk', 'hwk', 'gewerkschaft', 'arbeitgeberverband', 'wirtschaftsverband', 'wirtschaftsfoerderung', 'hochschule', 'forschung', 'berufsschule', 'agentur_fuer_arbeit', 'zivilgesellschaft', 'cluster_netzwerk', 'sonstige', name='org_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('wz_section', sa.String(length=1), nullable=True),
    sa.Column('wz_division', sa.String(length=2), nullable=True),
    sa.Column('size_class', sa.Enum('kleinst', 'klein', 'mittel', 'gross', name='size_class', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('plz', sa.String(length=5), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('kreis_ags', sa.String(length=5), nullable=True),
    sa.Column('land_ags', sa.String(length=2), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['kreis_ags'], ['kreise.ags'], name=op.f('fk_organisations_kreis_ags_kreise')),
    sa.ForeignKeyConstraint(['land_ags'], ['bundeslaender.ags'], name=op.f('fk_organisations_land_ags_bundeslaender')),
    sa.ForeignKeyConstraint(['parent_id'], ['organisations.id'], name=op.f('fk_organisations_parent_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_kreis_ags'), ['kreis_ags'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_land_ags'), ['land_ags'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_sort_name'), ['sort_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_type'), ['type'], unique=False)

    op.create_table('postcodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plz', sa.String(length=5), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('kreis_ags', sa.String(length=5), nullable=True),
    sa.Column('land_ags', sa.String(length=2), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['kreis_ags'], ['kreise.ags'], name=op.f('fk_postcodes_kreis_ags_kreise')),
    sa.ForeignKeyConstraint(['land_ags'], ['bundeslaender.ags'], name=op.f('fk_postcodes_land_ags_bundeslaender')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postcodes')),
    sa.UniqueConstraint('plz', 'place', 'kreis_ags', name=op.f('uq_postcodes_plz_place_kreis_ags'))
    )
    with op.batch_alter_table('postcodes', schema=None) as batch_op:
        batch_op.create_index('ix_postcodes_plz', ['plz'], unique=False)

    op.create_table('workshop_themes',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_workshop_themes_theme_id_themes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_themes_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', 'theme_id', name=op.f('pk_workshop_themes'))
    )
    with op.batch_alter_table('workshop_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_themes_theme_id'), ['theme_id'], unique=False)

    op.create_table('affiliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('function', sa.String(length=120), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('until IS NULL OR since IS NULL OR until >= since', name=op.f('ck_affiliations_period')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_affiliations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_affiliations_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_affiliations'))
    )
    with op.batch_alter_table('affiliations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_affiliations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_affiliations_person_id'), ['person_id'], unique=False)

    op.create_table('initiatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sort_name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=60), nullable=True),
    sa.Column('type', sa.Enum('verein', 'ihk_projekt', 'masterplan_kommune', 'masterplan_land', 'landesbuendnis', 'gewerkschaftsplattform', 'industriedialog', 'themennetzwerk', 'transformationsnetzwerk', 'regionalagentur', 'sonstige', name='initiative_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('legal_form', sa.String(length=60), nullable=True),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('aktiv', 'ruhend', 'aufgeloest', name='initiative_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('spatial_level', sa.Enum('kommune', 'kreis', 'ihk_bezirk', 'region', 'land', 'laenderuebergreifend', name='spatial_level', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('region_label', sa.String(length=120), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('goals', sa.Text(), nullable=True),
    sa.Column('host_organisation_id', sa.Integer(), nullable=True),
    sa.Column('member_count', sa.Integer(), nullable=True),
    sa.Column('member_count_date', sa.Date(), nullable=True),
    sa.Column('public_listing', sa.Boolean(), nullable=False),
    sa.Column('logo_filename', sa.String(length=80), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('plz', sa.String(length=5), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('kreis_ags', sa.String(length=5), nullable=True),
    sa.Column('land_ags', sa.String(length=2), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.CheckConstraint('founded_year IS NULL OR founded_year >= 1800', name=op.f('ck_initiatives_founded_year')),
    sa.CheckConstraint('member_count IS NULL OR member_count >= 0', name=op.f('ck_initiatives_member_count')),
    sa.ForeignKeyConstraint(['host_organisation_id'], ['organisations.id'], name=op.f('fk_initiatives_host_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kreis_ags'], ['kreise.ags'], name=op.f('fk_initiatives_kreis_ags_kreise')),
    sa.ForeignKeyConstraint(['land_ags'], ['bundeslaender.ags'], name=op.f('fk_initiatives_land_ags_bundeslaender')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiatives'))
    )
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiatives_host_organisation_id'), ['host_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_kreis_ags'), ['kreis_ags'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_land_ags'), ['land_ags'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_public_listing'), ['public_listing'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_sort_name'), ['sort_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_type'), ['type'], unique=False)

    op.create_table('initiative_formats',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('format_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['format_id'], ['formats.id'], name=op.f('fk_initiative_formats_format_id_formats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_formats_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', 'format_id', name=op.f('pk_initiative_formats'))
    )
    with op.batch_alter_table('initiative_formats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_formats_format_id'), ['format_id'], unique=False)

    op.create_table('initiative_kreise',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('kreis_ags', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_kreise_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kreis_ags'], ['kreise.ags'], name=op.f('fk_initiative_kreise_kreis_ags_kreise')),
    sa.PrimaryKeyConstraint('initiative_id', 'kreis_ags', name=op.f('pk_initiative_kreise'))
    )
    with op.batch_alter_table('initiative_kreise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_kreise_kreis_ags'), ['kreis_ags'], unique=False)

    op.create_table('initiative_laender',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('land_ags', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_laender_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['land_ags'], ['bundeslaender.ags'], name=op.f('fk_initiative_laender_land_ags_bundeslaender')),
    sa.PrimaryKeyConstraint('initiative_id', 'land_ags', name=op.f('pk_initiative_laender'))
    )
    with op.batch_alter_table('initiative_laender', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_laender_land_ags'), ['land_ags'], unique=False)

    op.create_table('initiative_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('ansprechperson', 'sprecherin', 'vorsitz', 'geschaeftsstelle', 'presse', name='initiative_role_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('until IS NULL OR since IS NULL OR until >= since', name=op.f('ck_initiative_roles_period')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_roles_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_initiative_roles_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_roles'))
    )
    with op.batch_alter_table('initiative_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_roles_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiative_roles_person_id'), ['person_id'], unique=False)

    op.create_table('initiative_themes',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_themes_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_initiative_themes_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', 'theme_id', name=op.f('pk_initiative_themes'))
    )
    with op.batch_alter_table('initiative_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_themes_theme_id'), ['theme_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('mitglied', 'gruendungsmitglied', 'foerdermitglied', 'beirat', 'traeger', 'geschaeftsstelle', 'partner', name='membership_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('until IS NULL OR since IS NULL OR until >= since', name=op.f('ck_memberships_period')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_memberships_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_memberships_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index('ix_memberships_initiative_org', ['initiative_id', 'organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('organisation_text', sa.String(length=200), nullable=True),
    sa.Column('organisation_confirmed', sa.Boolean(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=True),
    sa.Column('function', sa.String(length=120), nullable=True),
    sa.Column('status', sa.Enum('registered', 'waitlisted', 'cancelled', 'attended', 'no_show', name='registration_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('assigned_workshop_id', sa.Integer(), nullable=True),
    sa.Column('assignment_fixed', sa.Boolean(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['assigned_workshop_id'], ['workshops.id'], name=op.f('fk_registrations_assigned_workshop_id_workshops'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_registrations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_registrations_initiative_id_initiatives'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_registrations_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_registrations_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('event_id', 'person_id', name=op.f('uq_registrations_event_id_person_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_registrations_token_hash'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_assigned_workshop_id'), ['assigned_workshop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_status'), ['status'], unique=False)

    op.create_table('relationships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('kooperation', 'partnerschaft', 'vermittelt', name='relationship_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('initiative_a_id', sa.Integer(), nullable=True),
    sa.Column('initiative_b_id', sa.Integer(), nullable=True),
    sa.Column('organisation_a_id', sa.Integer(), nullable=True),
    sa.Column('organisation_b_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('(initiative_a_id IS NOT NULL AND initiative_b_id IS NOT NULL AND organisation_a_id IS NULL AND organisation_b_id IS NULL) OR (organisation_a_id IS NOT NULL AND organisation_b_id IS NOT NULL AND initiative_a_id IS NULL AND initiative_b_id IS NULL)', name=op.f('ck_relationships_one_pair')),
    sa.CheckConstraint('initiative_a_id IS NULL OR initiative_a_id <> initiative_b_id', name=op.f('ck_relationships_ini_self')),
    sa.CheckConstraint('organisation_a_id IS NULL OR organisation_a_id <> organisation_b_id', name=op.f('ck_relationships_org_self')),
    sa.CheckConstraint('until IS NULL OR since IS NULL OR until >= since', name=op.f('ck_relationships_period')),
    sa.ForeignKeyConstraint(['initiative_a_id'], ['initiatives.id'], name=op.f('fk_relationships_initiative_a_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_b_id'], ['initiatives.id'], name=op.f('fk_relationships_initiative_b_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_a_id'], ['organisations.id'], name=op.f('fk_relationships_organisation_a_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_b_id'], ['organisations.id'], name=op.f('fk_relationships_organisation_b_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationships'))
    )
    with op.batch_alter_table('relationships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relationships_initiative_a_id'), ['initiative_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relationships_initiative_b_id'), ['initiative_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relationships_organisation_a_id'), ['organisation_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relationships_organisation_b_id'), ['organisation_b_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('role', sa.Enum('admin', 'staff', 'editor', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(role = 'editor' AND initiative_id IS NOT NULL) OR (role <> 'editor' AND initiative_id IS NULL)", name=op.f('ck_users_editor_initiative')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_users_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_label', sa.String(length=254), nullable=True),
    sa.Column('user_role', sa.String(length=16), nullable=True),
    sa.Column('action', sa.Enum('create', 'update', 'delete', name='audit_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_audit_entries_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_record', ['record_type', 'record_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_user_role'), ['user_role'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('event_communication', 'event_invitations', 'newsletter', 'public_listing', 'photos', 'participant_list', 'union_affiliation', name='consent_purpose', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('requested', 'confirmed', 'revoked', name='consent_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('method', sa.Enum('web_form', 'email', 'paper', 'verbal', 'import', name='consent_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text_version', sa.String(length=40), nullable=True),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_consents_person_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_consents_registration_id_registrations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consents_registration_id'), ['registration_id'], unique=False)

    op.create_table('interactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('call', 'meeting', 'email', 'visit', 'note', name='interaction_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('initiative_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_due', sa.Date(), nullable=True),
    sa.Column('follow_up_owner_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_done_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_interactions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['follow_up_owner_id'], ['users.id'], name=op.f('fk_interactions_follow_up_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_interactions_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_interactions_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_follow_up_open', ['follow_up_owner_id', 'follow_up_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('workshop_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.CheckConstraint('rank BETWEEN 1 AND 3', name=op.f('ck_workshop_preferences_rank')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_workshop_preferences_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_preferences_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_preferences')),
    sa.UniqueConstraint('registration_id', 'rank', name=op.f('uq_workshop_preferences_registration_id_rank')),
    sa.UniqueConstraint('registration_id', 'workshop_id', name=op.f('uq_workshop_preferences_registration_id_workshop_id'))
    )
    with op.batch_alter_table('workshop_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_preferences_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('interaction_persons',
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_interaction_persons_interaction_id_interactions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_interaction_persons_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interaction_id', 'person_id', name=op.f('pk_interaction_persons'))
    )
    with op.batch_alter_table('interaction_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interaction_persons_person_id'), ['person_id'], unique=False)



def downgrade():
    with op.batch_alter_table('interaction_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_persons_person_id'))

    op.drop_table('interaction_persons')
    with op.batch_alter_table('workshop_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_preferences_workshop_id'))

    op.drop_table('workshop_preferences')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interactions_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_interactions_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_interactions_initiative_id'))
        batch_op.drop_index('ix_interactions_follow_up_open')

    op.drop_table('interactions')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_registration_id'))
        batch_op.drop_index(batch_op.f('ix_consents_person_id'))

    op.drop_table('consents')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_user_role'))
        batch_op.drop_index('ix_audit_entries_record')

    op.drop_table('audit_entries')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_initiative_id'))

    op.drop_table('users')
    with op.batch_alter_table('relationships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relationships_organisation_b_id'))
        batch_op.drop_index(batch_op.f('ix_relationships_organisation_a_id'))
        batch_op.drop_index(batch_op.f('ix_relationships_initiative_b_id'))
        batch_op.drop_index(batch_op.f('ix_relationships_initiative_a_id'))

    op.drop_table('relationships')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_status'))
        batch_op.drop_index(batch_op.f('ix_registrations_person_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_initiative_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_event_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_assigned_workshop_id'))

    op.drop_table('registrations')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_organisation_id'))
        batch_op.drop_index('ix_memberships_initiative_org')

    op.drop_table('memberships')
    with op.batch_alter_table('initiative_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_themes_theme_id'))

    op.drop_table('initiative_themes')
    with op.batch_alter_table('initiative_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_roles_person_id'))
        batch_op.drop_index(batch_op.f('ix_initiative_roles_initiative_id'))

    op.drop_table('initiative_roles')
    with op.batch_alter_table('initiative_laender', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_laender_land_ags'))

    op.drop_table('initiative_laender')
    with op.batch_alter_table('initiative_kreise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_kreise_kreis_ags'))

    op.drop_table('initiative_kreise')
    with op.batch_alter_table('initiative_formats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_formats_format_id'))

    op.drop_table('initiative_formats')
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiatives_type'))
        batch_op.drop_index(batch_op.f('ix_initiatives_status'))
        batch_op.drop_index(batch_op.f('ix_initiatives_sort_name'))
        batch_op.drop_index(batch_op.f('ix_initiatives_public_listing'))
        batch_op.drop_index(batch_op.f('ix_initiatives_land_ags'))
        batch_op.drop_index(batch_op.f('ix_initiatives_kreis_ags'))
        batch_op.drop_index(batch_op.f('ix_initiatives_host_organisation_id'))

    op.drop_table('initiatives')
    with op.batch_alter_table('affiliations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_affiliations_person_id'))
        batch_op.drop_index(batch_op.f('ix_affiliations_organisation_id'))

    op.drop_table('affiliations')
    with op.batch_alter_table('workshop_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_themes_theme_id'))

    op.drop_table('workshop_themes')
    with op.batch_alter_table('postcodes', schema=None) as batch_op:
        batch_op.drop_index('ix_postcodes_plz')

    op.drop_table('postcodes')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_type'))
        batch_op.drop_index(batch_op.f('ix_organisations_sort_name'))
        batch_op.drop_index(batch_op.f('ix_organisations_parent_id'))
        batch_op.drop_index(batch_op.f('ix_organisations_land_ags'))
        batch_op.drop_index(batch_op.f('ix_organisations_kreis_ags'))

    op.drop_table('organisations')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshops_event_id'))

    op.drop_table('workshops')
    with op.batch_alter_table('kreise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kreise_land_ags'))

    op.drop_table('kreise')
    with op.batch_alter_table('agenda_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_blocks_event_id'))

    op.drop_table('agenda_blocks')
    op.drop_table('themes')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_sort_name'))
        batch_op.drop_index(batch_op.f('ix_persons_email'))

    op.drop_table('persons')
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mails_sent_at'))

    op.drop_table('outbox_mails')
    op.drop_table('formats')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_starts_at'))

    op.drop_table('events')
    op.drop_table('bundeslaender')
