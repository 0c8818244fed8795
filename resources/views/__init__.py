"""
The public pages. Each view binds its form, asks the models (or search) for what it shows,
paginates and renders: `library` for the catalog and what it links to, `search` for the
search page, `site` for the pages every site has (robots.txt, a health check, errors, and
the site's own pages such as "About this library").
"""
